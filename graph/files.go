package graph

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tfoffload/tfoffload/internal/fsutil"
)

// Limits on the model files Load reads whole. Weight shards and checkpoint
// data are bounded by the sizes their formats declare instead.
const (
	// maxProtoFileBytes is protobuf's own limit on a serialized message
	// (TensorFlow's kProtoMaxBytes): no valid .pb, saved_model.pb or .meta
	// file is larger. Text forms get the same limit.
	maxProtoFileBytes = 1<<31 - 1
	// maxJSONFileBytes bounds a TF.js model.json, which holds the graph
	// but not the weights: the largest converter output seen is a few
	// MiB, and decoding JSON costs several times its size.
	maxJSONFileBytes = 256 << 20
)

// OpenModelFile opens name, a path a model's own files give relative to
// the model's directory root (a TF.js weight shard, a SavedModel's
// variables/ or assets/ file, a checkpoint shard), for reading. It is the
// one gate through which loaders read files on a model's say-so, because a
// downloaded model is untrusted input:
//
//   - name must be relative and, after every symbolic link in it is
//     followed, still lie inside root (itself resolved the same way);
//   - it must be a regular file: directories, FIFOs, sockets and devices
//     are refused by their type before anything is read, and the file is
//     opened non-blocking and checked again, so a FIFO cannot hang the load;
//   - it must hold at most maxBytes bytes (a negative maxBytes means no
//     limit beyond the file's own size).
//
// The returned size is the file's size when it was opened; callers read
// no more than that (or than the size their format declares). Refusals
// wrap [ErrUnsafePath] or [ErrTooLarge] and name the file as the model
// wrote it; a missing file wraps fs.ErrNotExist. The caller closes the
// file.
func OpenModelFile(root, name string, maxBytes int64) (*os.File, int64, error) {
	rootReal, rel, err := resolveInside(root, name)
	if err != nil {
		return nil, 0, err
	}
	// The path has just been checked, but the tree can change before the
	// open; os.Root keeps the open itself inside rootReal.
	r, err := os.OpenRoot(rootReal)
	if err != nil {
		return nil, 0, unwrapPathError(err)
	}
	defer r.Close()
	fi, err := r.Lstat(rel)
	if err != nil {
		return nil, 0, unwrapPathError(err)
	}
	if err := checkRegular(name, fi); err != nil {
		return nil, 0, err
	}
	f, err := r.OpenFile(rel, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %q cannot be opened inside the model directory: %v", ErrUnsafePath, name, unwrapPathError(err))
	}
	size, err := checkOpened(f, name, maxBytes)
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, size, nil
}

// statModelFile applies [OpenModelFile]'s rules to name without reading
// it and returns its size: for files a loader only locates (a checkpoint
// index it leaves to the checkpoint reader).
func statModelFile(root, name string) (int64, error) {
	f, size, err := OpenModelFile(root, name, -1)
	if err != nil {
		return 0, err
	}
	f.Close()
	return size, nil
}

// readModelFile reads a whole file the model names, under OpenModelFile's
// rules.
func readModelFile(root, name string, maxBytes int64) ([]byte, error) {
	f, size, err := OpenModelFile(root, name, maxBytes)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readSized(f, name, size)
}

// readUserFile reads the model file a caller named. The caller chose the
// path, so it may lead anywhere through symbolic links, but it must still
// be a regular file of at most maxBytes.
func readUserFile(path string, maxBytes int64) ([]byte, error) {
	// Errors name the file by its base name: the caller's error names the
	// path.
	name := filepath.Base(path)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if err := checkRegular(name, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	size, err := checkOpened(f, name, maxBytes)
	if err != nil {
		return nil, err
	}
	return readSized(f, name, size)
}

// resolveInside resolves root and root/name through their symbolic links
// and returns the resolved root and name's resolved path relative to it,
// or an ErrUnsafePath error when name leaves root.
func resolveInside(root, name string) (rootReal, rel string, err error) {
	local := filepath.FromSlash(name)
	if strings.ContainsRune(name, 0) {
		return "", "", fmt.Errorf("%w: %q holds a NUL byte", ErrUnsafePath, name)
	}
	if !filepath.IsLocal(local) {
		return "", "", fmt.Errorf("%w: %q is not a relative path inside the model directory", ErrUnsafePath, name)
	}
	if rootReal, err = filepath.EvalSymlinks(root); err != nil {
		return "", "", unwrapPathError(err)
	}
	real, err := filepath.EvalSymlinks(filepath.Join(rootReal, local))
	if err != nil {
		return "", "", unwrapPathError(err)
	}
	rel, err = filepath.Rel(rootReal, real)
	if err != nil || !filepath.IsLocal(rel) {
		return "", "", fmt.Errorf("%w: %q leads to %s, outside the model directory %s", ErrUnsafePath, name, real, rootReal)
	}
	return rootReal, rel, nil
}

// checkRegular refuses everything but a regular file, by its type.
func checkRegular(name string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%w: %q is %s, not a regular file", ErrUnsafePath, name, fsutil.Kind(fi.Mode()))
}

// checkOpened checks the opened file again (the path may have been
// swapped since it was examined) and returns its size.
func checkOpened(f *os.File, name string, maxBytes int64) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if err := checkRegular(name, fi); err != nil {
		return 0, err
	}
	if maxBytes >= 0 && fi.Size() > maxBytes {
		return 0, fmt.Errorf("%w: %q is %d bytes, more than the %d this kind of file may have", ErrTooLarge, name, fi.Size(), maxBytes)
	}
	return fi.Size(), nil
}

// readSized reads exactly size bytes of f, allocating once.
func readSized(f io.Reader, name string, size int64) ([]byte, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%q shrank while it was read: %w", name, err)
		}
		return nil, fmt.Errorf("%q: %w", name, err)
	}
	return data, nil
}

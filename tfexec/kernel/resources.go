package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/fsutil"
)

// ErrNoModelFiles is wrapped by the error of a kernel that reads a file
// (a lookup table's vocabulary) in an executor that was given no model
// directory to read from.
var ErrNoModelFiles = errors.New("this executor reads no files: it was given no model directory")

// ErrFileAccess is wrapped by the error of a kernel refused a file its
// graph names at run time (ReadFile's path) by the executor's
// [FileAccess].
var ErrFileAccess = errors.New("file access refused")

// ErrNotRegular is wrapped when a path a graph names at run time names
// something other than a regular file.
var ErrNotRegular = errors.New("not a regular file")

// FileAccess is which files the kernels of one executor may read at the
// paths a graph gives at run time (ReadFile's filename). The zero value
// allows none: a graph is untrusted input, and a path it holds or is fed
// must not reach the rest of the file system unless the program says so.
type FileAccess struct {
	// Any allows every file the process can read, as TensorFlow does: for
	// graphs the program built itself.
	Any bool
	// Dirs are the directories whose files may be read otherwise, under
	// graph.OpenModelFile's rules: a path with a ".." element is refused,
	// and after every symbolic link is followed the file must still lie
	// inside one of them. Relative paths are relative to the working
	// directory, as in TensorFlow.
	Dirs []string
}

// String describes the access for error messages.
func (a FileAccess) String() string {
	switch {
	case a.Any:
		return "any file"
	case len(a.Dirs) == 0:
		return "no files"
	}
	return "only files inside " + strings.Join(a.Dirs, ", ")
}

// Resources is what the kernels of one executor keep between runs, as
// TensorFlow's per-session resource manager does: lookup tables live here
// from the run that creates them to the end of the executor, and every
// run, and every function the executor calls, sees the same ones. It also
// holds the model directory kernels may read files from and the
// FileAccess that bounds the paths a graph gives at run time. It is safe for
// concurrent use; what it holds must be too.
type Resources struct {
	root  string
	files FileAccess

	mu sync.Mutex
	m  map[any]any
}

// NewResources returns an empty resource store whose kernels may read
// the files under modelDir ("" for none) through OpenModelFile, and the
// files files allows through OpenFile.
func NewResources(modelDir string, files FileAccess) *Resources {
	files.Dirs = slices.Clone(files.Dirs)
	return &Resources{root: modelDir, files: files, m: map[any]any{}}
}

// LookupOrCreate returns the resource held under key, calling create to
// make it when there is none. create runs with the store locked, so a
// resource is created once however many kernels ask at once; it must not
// call back into the store. A failed create stores nothing.
func (r *Resources) LookupOrCreate(key any, create func() (any, error)) (any, error) {
	if r == nil {
		return nil, errors.New("no resource store: the kernel runs outside an executor")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if v, ok := r.m[key]; ok {
		return v, nil
	}
	v, err := create()
	if err != nil {
		return nil, err
	}
	r.m[key] = v
	return v, nil
}

// OpenModelFile opens name, a path relative to the model directory the
// executor was given, under graph.OpenModelFile's rules (inside the
// directory, a regular file, at most maxBytes bytes), and returns it with
// its size. Without a model directory it fails with ErrNoModelFiles: a
// graph is untrusted input, and the file names its nodes hold must not
// reach the rest of the file system.
func (r *Resources) OpenModelFile(name string, maxBytes int64) (*os.File, int64, error) {
	if r == nil || r.root == "" {
		return nil, 0, fmt.Errorf("file %q: %w", name, ErrNoModelFiles)
	}
	return graph.OpenModelFile(r.root, name, maxBytes)
}

// OpenFile opens path, a file a graph names at run time, for reading,
// when the executor's [FileAccess] allows it, and returns it with its
// size. Only regular files are opened: anything else is refused by its
// type before it is opened (non-blocking) and again after, so a FIFO or
// device cannot hang or feed the run. A path the access does not allow is
// refused with [ErrFileAccess] (also outside an executor, where r is
// nil). The caller closes the file.
func (r *Resources) OpenFile(path string) (*os.File, int64, error) {
	var files FileAccess
	if r != nil {
		files = r.files
	}
	if files.Any {
		return openRegular(path)
	}
	if slices.Contains(strings.Split(filepath.ToSlash(path), "/"), "..") {
		return nil, 0, fileAccessError(path, files, errors.New(`it has a ".." element`))
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, 0, fmt.Errorf("%q: %w", path, err)
	}
	for _, dir := range files.Dirs {
		root, rel, ok := within(dir, abs)
		if !ok {
			continue
		}
		f, size, err := graph.OpenModelFile(root, rel, -1)
		if errors.Is(err, graph.ErrUnsafePath) {
			return nil, 0, fileAccessError(path, files, err)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%q: %w", path, err)
		}
		return f, size, nil
	}
	return nil, 0, fileAccessError(path, files, errors.New("it is inside no directory the session may read"))
}

// within reports whether the absolute path abs is inside dir, as written
// or with its symbolic links followed (a model folder reached through a
// link), and returns that form of dir and abs relative to it. Links in
// abs itself are followed by graph.OpenModelFile, which checks the file
// still lies inside.
func within(dir, abs string) (root, rel string, ok bool) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", "", false
	}
	roots := []string{absDir}
	if real, err := filepath.EvalSymlinks(absDir); err == nil && real != absDir {
		roots = append(roots, real)
	}
	for _, root := range roots {
		if rel, err := filepath.Rel(root, abs); err == nil && filepath.IsLocal(rel) {
			return root, rel, true
		}
	}
	return "", "", false
}

// fileAccessError is the one-line refusal of path, saying why, what may
// be read and how to widen it.
func fileAccessError(path string, files FileAccess, why error) error {
	return fmt.Errorf("%q: %w: %w; the session may read %v (widen it with tfexec.WithFileAccess, bridge.WithFileAccess, tfoffload run --allow-read or serve --allow_read)",
		path, ErrFileAccess, why, files)
}

// openRegular opens the regular file path, wherever it is.
func openRegular(path string) (*os.File, int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	if err := checkRegular(path, fi); err != nil {
		return nil, 0, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, err
	}
	// The path may have been swapped since the Stat.
	if fi, err = f.Stat(); err == nil {
		err = checkRegular(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, fi.Size(), nil
}

func checkRegular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%q: %w: it is %s", path, ErrNotRegular, fsutil.Kind(fi.Mode()))
}

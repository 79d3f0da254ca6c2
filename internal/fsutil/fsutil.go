// Package fsutil holds the file-system facts several packages report the
// same way, what kind of file a mode describes, and how they write files
// that must never be seen half written.
package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Kind names a file mode's type for error messages ("a FIFO", "a
// directory"); a regular file is "a regular file".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file (" + m.Type().String() + ")"
}

// WriteAtomic writes data to path so that path holds either its old
// content (or nothing) or all of data, never part of it: it writes a
// temporary file beside path, syncs it, runs check (when not nil) and
// renames the file over path only when check passes. On any failure the
// temporary file is removed. The file is created with mode 0644.
func WriteAtomic(path string, data []byte, check func() error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			if rerr := os.Remove(tmp.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = errors.Join(err, rerr)
			}
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if check != nil {
		if err = check(); err != nil {
			return fmt.Errorf("%s not written: %w", path, err)
		}
	}
	return os.Rename(tmp.Name(), path)
}

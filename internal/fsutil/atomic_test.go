package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteAtomic: the file appears only when the check passes; a
// failed check leaves an earlier file alone and no temporary file behind.
func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "m.onnx")
	bad := errors.New("outputs differ")

	err := WriteAtomic(out, []byte("new"), func() error { return bad })
	assert.ErrorIs(t, err, bad)
	assert.NoFileExists(t, out)

	require.NoError(t, WriteAtomic(out, []byte("first"), func() error { return nil }))
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "first", string(got))
	info, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())

	var during []os.DirEntry
	err = WriteAtomic(out, []byte("second"), func() error {
		during, _ = os.ReadDir(dir)
		return bad
	})
	assert.ErrorIs(t, err, bad)
	assert.Len(t, during, 2, "the check runs with the temporary file written beside OUT")
	got, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "first", string(got), "a failed conversion leaves the earlier file")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the temporary file is removed")

	err = WriteAtomic(filepath.Join(dir, "missing", "m.onnx"), []byte("x"), func() error { return nil })
	assert.Error(t, err)
}

func TestWriteAtomicNoFolder(t *testing.T) {
	err := WriteAtomic(filepath.Join(t.TempDir(), "missing", "x"), []byte("x"), nil)
	require.ErrorIs(t, err, os.ErrNotExist)
}

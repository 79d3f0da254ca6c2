package files

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func readOp(path string) ([]*tensor.Tensor, error) {
	return kerneltest.Call(graph.NewNode("r", "ReadFile", nil, nil), tensor.Scalar(path))
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "data.bin")
	want := "\x00\xffbytes\x00"
	require.NoError(t, os.WriteFile(p, []byte(want), 0o644))
	out, err := readOp(p)
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{}, out[0].Shape())
	assert.Equal(t, want, tensor.Values[string](out[0])[0])

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	out, err = readOp(empty)
	require.NoError(t, err)
	assert.Equal(t, "", tensor.Values[string](out[0])[0])

	_, err = readOp(filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	_, err = readOp(dir)
	assert.ErrorIs(t, err, ErrNotRegular)

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	_, err = readOp(fifo)
	assert.ErrorIs(t, err, ErrNotRegular, "a FIFO must be refused, not block")

	_, err = readOp("/dev/zero")
	assert.ErrorIs(t, err, ErrNotRegular)

	_, err = kerneltest.Call(graph.NewNode("r", "ReadFile", nil, nil), tensor.MustFromSlice(tensor.Shape{1}, []string{p}))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
}

// TestReadFileBudget: a file larger than one tensor may be is refused
// before it is read.
func TestReadFileBudget(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	require.NoError(t, os.WriteFile(p, make([]byte, 4096), 0o644))
	_, err := read(p, 4095)
	var tl *tensor.TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, int64(4096), tl.Bytes)
	data, err := read(p, 4096)
	require.NoError(t, err)
	assert.Len(t, data, 4096)
}

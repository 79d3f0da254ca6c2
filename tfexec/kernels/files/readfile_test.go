package files

import (
	"context"
	"errors"
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

// readAs runs ReadFile on path in an executor whose file access is a.
func readAs(a kernel.FileAccess, path string) ([]*tensor.Tensor, error) {
	ctx := &kernel.Context{Context: context.Background(), Node: kernel.NewNode(graph.NewNode("r", "ReadFile", []string{"f"}, nil)),
		Resources: kernel.NewResources("", a)}
	return readFile(ctx, []*tensor.Tensor{tensor.Scalar(path)})
}

func readOp(path string) ([]*tensor.Tensor, error) { return readAs(kernel.FileAccess{Any: true}, path) }

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

// TestReadFileAccess: outside an executor that allows any file, ReadFile
// reads only inside the directories it allows, with symbolic links
// followed and ".." refused.
func TestReadFileAccess(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model")
	require.NoError(t, os.MkdirAll(filepath.Join(model, "assets"), 0o755))
	inside := filepath.Join(model, "assets", "in.txt")
	require.NoError(t, os.WriteFile(inside, []byte("inside"), 0o644))
	outside := filepath.Join(dir, "outside")
	require.NoError(t, os.WriteFile(outside, []byte("secret"), 0o644))
	other := filepath.Join(dir, "other")
	require.NoError(t, os.Mkdir(other, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(other, "o.txt"), []byte("other"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(model, "escape")))
	require.NoError(t, os.Symlink(filepath.Join(model, "assets"), filepath.Join(dir, "link")))
	require.NoError(t, syscall.Mkfifo(filepath.Join(model, "fifo"), 0o644))

	modelOnly := kernel.FileAccess{Dirs: []string{model}}
	for _, tc := range []struct {
		name   string
		access kernel.FileAccess
		path   string
		want   string // contents, or "" when refused
		err    error
	}{
		{"inside", modelOnly, inside, "inside", nil},
		{"absolute outside", modelOnly, outside, "", kernel.ErrFileAccess},
		{"dot-dot", modelOnly, filepath.Join(model, "assets") + "/../../outside", "", kernel.ErrFileAccess},
		{"dot-dot staying inside", modelOnly, filepath.Join(model, "assets") + "/../assets/in.txt", "", kernel.ErrFileAccess},
		{"relative dot-dot", modelOnly, "../outside", "", kernel.ErrFileAccess},
		{"symlink escape", modelOnly, filepath.Join(model, "escape"), "", kernel.ErrFileAccess},
		{"symlink from outside into the model", modelOnly, filepath.Join(dir, "link", "in.txt"), "", kernel.ErrFileAccess},
		{"fifo inside", modelOnly, filepath.Join(model, "fifo"), "", graph.ErrUnsafePath},
		{"missing inside", modelOnly, filepath.Join(model, "missing"), "", os.ErrNotExist},
		{"widened", kernel.FileAccess{Dirs: []string{model, other}}, filepath.Join(other, "o.txt"), "other", nil},
		{"allowed through a link", kernel.FileAccess{Dirs: []string{filepath.Join(dir, "link")}}, inside, "inside", nil},
		{"no access", kernel.FileAccess{}, inside, "", kernel.ErrFileAccess},
		{"any", kernel.FileAccess{Any: true}, outside, "secret", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := readAs(tc.access, tc.path)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Contains(t, err.Error(), tc.path)
				if errors.Is(err, kernel.ErrFileAccess) {
					assert.NotContains(t, err.Error(), "secret")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, tensor.Values[string](out[0])[0])
		})
	}

	// Outside an executor there is no access to widen.
	_, err := kerneltest.Call(graph.NewNode("r", "ReadFile", nil, nil), tensor.Scalar(inside))
	assert.ErrorIs(t, err, kernel.ErrFileAccess)
}

// TestReadFileBudget: a file larger than one tensor may be is refused
// before it is read.
func TestReadFileBudget(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big")
	require.NoError(t, os.WriteFile(p, make([]byte, 4096), 0o644))
	res := kernel.NewResources("", kernel.FileAccess{Any: true})
	_, err := read(res, p, 4095)
	var tl *tensor.TooLargeError
	require.ErrorAs(t, err, &tl)
	assert.Equal(t, int64(4096), tl.Bytes)
	data, err := read(res, p, 4096)
	require.NoError(t, err)
	assert.Len(t, data, 4096)
}

//go:build unix

package checkpoint

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestShardFilesAreContained: a data shard that is a FIFO, or a link out
// of the checkpoint's folder, is refused by name (graph.OpenModelFile's
// rules) instead of hanging the read or reading a stranger's file.
func TestShardFilesAreContained(t *testing.T) {
	for name, plant := range map[string]func(t *testing.T, shard string){
		"fifo": func(t *testing.T, shard string) {
			require.NoError(t, os.Remove(shard))
			require.NoError(t, syscall.Mkfifo(shard, 0o644))
		},
		"link out": func(t *testing.T, shard string) {
			outside := filepath.Join(t.TempDir(), "elsewhere")
			data, err := os.ReadFile(shard)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(outside, data, 0o644))
			require.NoError(t, os.Remove(shard))
			require.NoError(t, os.Symlink(outside, shard))
		},
	} {
		t.Run(name, func(t *testing.T) {
			prefix := writeBundle(t, filepath.Join(t.TempDir(), "model.ckpt"),
				[]stored{{key: "v", t: tensor.MustFromSlice(tensor.Shape{2}, []float32{1, 2})}}, bundleOpts{})
			plant(t, prefix+".data-00000-of-00001")
			r, err := Open(prefix)
			require.NoError(t, err)
			defer r.Close()
			done := make(chan error, 1)
			go func() {
				_, err := r.Tensor("v")
				done <- err
			}()
			select {
			case err := <-done:
				assert.ErrorIs(t, err, graph.ErrUnsafePath)
				assert.ErrorContains(t, err, "data-00000-of-00001")
			case <-time.After(10 * time.Second):
				t.Fatal("reading a FIFO shard hung")
			}
		})
	}
}

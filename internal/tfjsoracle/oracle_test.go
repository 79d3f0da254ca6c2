package tfjsoracle

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

var update = flag.Bool("update", false, "rewrite "+OpListFile+" from the installed converter")

func find(t *testing.T) (*Oracle, string) {
	t.Helper()
	root, err := testutil.RepoRoot()
	require.NoError(t, err)
	o, err := Find(root)
	testutil.RequireOrSkip(t, "TensorFlow.js (scripts/install-tfjs.sh)", err)
	return o, root
}

// TestConverterOpList: the committed op list is the installed (pinned)
// converter's, so docs/ops.md counts the ops TF.js models can hold.
func TestConverterOpList(t *testing.T) {
	o, root := find(t)
	installed, err := o.InstalledOpList()
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(filepath.Join(root, OpListFile), FormatOpList(o.Version, installed), 0o644))
	}
	version, committed, err := ReadOpList(root)
	require.NoError(t, err)
	assert.Equal(t, o.Version, version, "%s was taken from another converter: rerun with -update", OpListFile)
	assert.Equal(t, installed, committed, "%s differs from the installed converter's: rerun with -update", OpListFile)
	assert.Greater(t, len(committed), 200)
}

// TestRunFixture runs the project's fixture classifier (testdata/gen) on
// TensorFlow.js: softmax rows of the right shape, summing to 1.
func TestRunFixture(t *testing.T) {
	o, root := find(t)
	x := tensor.MustFromSlice(tensor.Shape{2, 4}, []float32{1, -2, 0.5, 3, 0, 1, 0, -1})
	got, err := o.Run(context.Background(), t.TempDir(), filepath.Join(root, "testdata/models/mlp_tfjs/model.json"), "",
		map[string]*tensor.Tensor{"x:0": x}, []string{"probs:0"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, tensor.Shape{2, 3}, got[0].Shape())
	p := tensor.Values[float32](got[0])
	assert.InDelta(t, 1, p[0]+p[1]+p[2], 1e-6)
	assert.InDelta(t, 1, p[3]+p[4]+p[5], 1e-6)

	_, err = o.Run(context.Background(), t.TempDir(), filepath.Join(root, "testdata/models/mlp_tfjs/model.json"), "",
		map[string]*tensor.Tensor{"x:0": x}, []string{"no_such_node:0"})
	assert.ErrorContains(t, err, "no_such_node", "node's error comes back")
}

func TestFindRefusesAnotherVersion(t *testing.T) {
	_, root := find(t)
	fake := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(fake, "testdata", "tfjs"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(fake, "testdata", "tfjs", "package.json"),
		[]byte(`{"dependencies": {"@tensorflow/tfjs-converter": "0.0.1"}}`), 0o644))
	_, err := Find(fake)
	assert.ErrorIs(t, err, ErrNotInstalled)
	assert.ErrorContains(t, err, "pins 0.0.1")
	_ = root
}

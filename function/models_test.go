package function_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/opdefs"
)

// savedModelDirs lists the SavedModel directories under
// ../shared/models/savedmodel.
func savedModelDirs(t *testing.T) []string {
	root := filepath.Join(testutil.SharedModels(t), "savedmodel")
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (d.Name() == "saved_model.pb" || d.Name() == "saved_model.pbtxt") {
			dirs = append(dirs, filepath.Dir(path))
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	return dirs
}

// TestInstantiateSharedLibraries instantiates every function of every
// shared SavedModel, as TensorFlow would when the function is first
// called: every node:out_arg:idx reference must resolve, or the error must
// name an op nobody describes.
func TestInstantiateSharedLibraries(t *testing.T) {
	instantiated, unknown := 0, map[string]bool{}
	defer func() {
		t.Logf("%d functions instantiated; unknown ops: %v", instantiated, slices.Sorted(maps.Keys(unknown)))
	}()
	for _, dir := range savedModelDirs(t) {
		name, _ := filepath.Rel(filepath.Join(testutil.SharedModels(t), "savedmodel"), dir)
		t.Run(name, func(t *testing.T) {
			m, err := graph.Load(dir)
			require.NoError(t, err)
			lib := m.Graph.GetLibrary()
			ops := function.WithOpList(m.MetaGraph.GetMetaInfoDef().GetStrippedOpList())
			for _, f := range lib.GetFunction() {
				b, err := function.Instantiate(lib, f.GetSignature().GetName(), nil, ops)
				var ue *function.UnknownOpError
				if errors.As(err, &ue) {
					// Save functions, gradients and GPU kernels use ops
					// neither the project nor the model's op list describes;
					// nothing that serves a signature does (see freeze).
					_, known := opdefs.SignatureOf(ue.Op)
					assert.False(t, known, "%v", err)
					assert.Equal(t, f.GetSignature().GetName(), ue.Function)
					unknown[ue.Op] = true
					continue
				}
				if assert.NoError(t, err) {
					assert.Len(t, b.Rets, len(b.RetTypes))
					instantiated++
				}
			}
		})
	}
}

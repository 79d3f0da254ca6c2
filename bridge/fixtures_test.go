package bridge

import (
	"context"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// TestFixtureModels runs the project's own fixture model (testdata/gen)
// in its three formats, offloaded and not: these need no ../shared.
func TestFixtureModels(t *testing.T) {
	enginetest.Require(t)
	x := map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{3, 4},
		[]float32{1, -2, 0.5, 3, 0, 0, 0, 0, -1, 2, -0.5, 1.5})}
	results := map[string]*tensor.Tensor{}
	for _, path := range []string{"../testdata/models/mlp.pb", "../testdata/models/mlp.pbtxt", "../testdata/models/mlp_tfjs/model.json"} {
		t.Run(path, func(t *testing.T) {
			off, err := LoadSession(path, WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false))
			require.NoError(t, err)
			defer off.Close()
			ref, err := LoadSession(path, WithOffload(false))
			require.NoError(t, err)
			got, err := off.Run(context.Background(), x, []string{"probs"})
			require.NoError(t, err)
			want, err := ref.Run(context.Background(), x, []string{"probs"})
			require.NoError(t, err)
			assert.NoError(t, tensor.Compare(got[0], want[0], tensor.Tolerance{RTol: 1e-5, ATol: 1e-6}))
			offloaded, total := off.Plan().NonTrivial()
			assert.Equal(t, total, offloaded)
			results[path] = want[0]
		})
	}
	require.Len(t, results, 3)
	frozen := results["../testdata/models/mlp.pb"]
	assert.NoError(t, tensor.Compare(results["../testdata/models/mlp.pbtxt"], frozen, tensor.Tolerance{}))
	// Quantized weights move the probabilities a little.
	assert.NoError(t, tensor.Compare(results["../testdata/models/mlp_tfjs/model.json"], frozen, tensor.Tolerance{ATol: 0.02}))
}

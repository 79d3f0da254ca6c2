package bridge

import (
	"context"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
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

// TestSessionInputsFromPlaceholders: a model whose signature names only
// its output (testdata/gen's outputs_only_tfjs) tells its session's
// callers to feed the placeholder, and runs offloaded when fed so.
func TestSessionInputsFromPlaceholders(t *testing.T) {
	enginetest.Require(t)
	s, err := LoadSession("../testdata/models/outputs_only_tfjs", WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false))
	require.NoError(t, err)
	defer s.Close()
	ins := s.Inputs()
	require.Len(t, ins, 1)
	assert.Equal(t, graph.TensorInfo{Name: "x:0", DType: tensor.Float32, Shape: []int64{-1, 4}, RankKnown: true}, ins[0])
	outs := s.Outputs()
	require.Len(t, outs, 1)
	x := tensor.MustFromSlice(tensor.Shape{1, 4}, []float32{1, -2, 0.5, 3})
	got, err := s.Run(context.Background(), map[string]*tensor.Tensor{ins[0].Name: x}, []string{outs[0].Name})
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{1, 3}, got[0].Shape())
	offloaded, total := s.Plan().NonTrivial()
	assert.Equal(t, total, offloaded)
}

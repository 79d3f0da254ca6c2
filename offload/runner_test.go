package offload

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestInferStaticness checks which tensors Infer may treat as constants:
// shapes are constant only where the input shapes fix them, never
// downstream of data-dependent shapes.
func TestInferStaticness(t *testing.T) {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1, 3})
	b.Placeholder("n", tensor.Int32, graph.ShapeAttr{})
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Const("one", tensor.Scalar(int32(1)))
	b.Add("sx", "Shape", []string{"x"}, map[string]any{"T": tensor.Float32, "out_type": tensor.Int32})
	b.Add("pos", "Greater", []string{"x", "x"}, map[string]any{"T": tensor.Float32})
	b.Add("w", "Where", []string{"pos"}, map[string]any{"T": tensor.Bool})
	b.Add("sw", "Shape", []string{"w"}, map[string]any{"T": tensor.Int64, "out_type": tensor.Int32})
	b.Add("r", "Range", []string{"zero", "n", "one"}, map[string]any{"Tidx": tensor.Int32})
	b.Add("sr", "Shape", []string{"r"}, map[string]any{"T": tensor.Int32, "out_type": tensor.Int32})
	b.Add("rc", "Range", []string{"zero", "one", "one"}, map[string]any{"Tidx": tensor.Int32})
	b.Add("src", "Shape", []string{"rc"}, map[string]any{"T": tensor.Int32, "out_type": tensor.Int32})
	cl := &clusters.Cluster{Nodes: b.Graph().Node[2:], Inputs: []string{"x:0", "n:0"},
		Outputs: []string{"sx:0", "sw:0", "sr:0", "src:0"}}
	r, err := NewRunner(cl)
	require.NoError(t, err)
	x := tensor.MustFromSlice(tensor.Shape{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	info, _, err := r.Infer(context.Background(), []*tensor.Tensor{x, tensor.Scalar(int32(4))}, []bool{false, false})
	require.NoError(t, err)
	assert.NotNil(t, info["sx:0"].Value, "the shape of a cluster input is fixed per signature")
	assert.NotNil(t, info["src:0"].Value, "a range of constants has a fixed shape")
	assert.Nil(t, info["sw:0"].Value, "Where's output shape depends on data")
	assert.Nil(t, info["sr:0"].Value, "a range to a runtime bound has a data-dependent shape")

	info, _, err = r.Infer(context.Background(), []*tensor.Tensor{x, tensor.Scalar(int32(4))}, []bool{false, true})
	require.NoError(t, err)
	assert.NotNil(t, info["sr:0"].Value, "with the bound compiled in, the range's shape is fixed")
}

package array

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestSearchAgainstTFJS holds LowerBound, UpperBound and ListDiff to
// TensorFlow.js (testdata/tfjs_search.js wrote the file).
func TestSearchAgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_search", tensor.Tolerance{}, 30)
}

func TestSearchErrors(t *testing.T) {
	m := tensor.MustFromSlice(tensor.Shape{2, 3}, []float32{1, 2, 3, 4, 5, 6})
	v := tensor.MustFromSlice(tensor.Shape{3, 1}, []float32{1, 2, 3})
	_, err := kerneltest.Call(graph.NewNode("n", "LowerBound", nil, map[string]any{"T": tensor.Float32}), m, v)
	assert.Error(t, err, "leading dimensions differ")
	_, err = kerneltest.Call(graph.NewNode("n", "ListDiff", nil, map[string]any{"T": tensor.Float32}), m, v)
	assert.Error(t, err, "ListDiff of matrices")
	out, err := kerneltest.Call(graph.NewNode("n", "ListDiff", nil, map[string]any{"T": tensor.String, "out_idx": tensor.Int64}),
		tensor.MustFromSlice(tensor.Shape{4}, []string{"a", "b", "a", "c"}), tensor.MustFromSlice(tensor.Shape{1}, []string{"a"}))
	assert.NoError(t, err)
	assert.Equal(t, []string{"b", "c"}, tensor.Values[string](out[0]))
	assert.Equal(t, []int64{1, 3}, tensor.Values[int64](out[1]))
}

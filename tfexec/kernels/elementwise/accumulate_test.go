package elementwise

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestAccumulateNV2AgainstTFJS holds AccumulateNV2 to TensorFlow.js's
// tf.addN (testdata/tfjs_accumulate.js wrote the file).
func TestAccumulateNV2AgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_accumulate", tensor.Tolerance{RTol: 1e-6, ATol: 1e-6}, 12)
}

// TestBucketize uses the vectors of TensorFlow's bucketize_op_test.py
// (tensorflow/python/kernel_tests/math_ops: testInt, testFloat,
// test2DInput, testEmptyFloat, testInvalidBoundariesOrder).
func TestBucketize(t *testing.T) {
	bounds := []float32{0, 3, 8, 11}
	run := func(x *tensor.Tensor, b []float32) ([]*tensor.Tensor, error) {
		return kerneltest.Call(graph.NewNode("n", "Bucketize", nil, map[string]any{"T": x.DType(), "boundaries": b}), x)
	}
	want := []int32{0, 1, 1, 2, 2, 3, 3, 4, 4}
	for _, dt := range []tensor.DType{tensor.Int32, tensor.Int64, tensor.Float32, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			out, err := run(kerneltest.Values(dt, tensor.Shape{9}, -5, 0, 2, 3, 5, 8, 10, 11, 12), bounds)
			require.NoError(t, err)
			assert.Equal(t, want, tensor.Values[int32](out[0]))
		})
	}
	out, err := run(tensor.MustFromSlice(tensor.Shape{2, 5}, []int32{-5, 0, 2, 3, 5, 8, 10, 11, 12, 0}), bounds)
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{2, 5}, out[0].Shape())
	assert.Equal(t, []int32{0, 1, 1, 2, 2, 3, 3, 4, 4, 1}, tensor.Values[int32](out[0]))
	out, err = run(tensor.MustFromSlice(tensor.Shape{0, 3}, []float32{}), []float32{})
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{0, 3}, out[0].Shape())
	_, err = run(tensor.MustFromSlice(tensor.Shape{2}, []int32{-5, 0}), []float32{0, 8, 3, 11})
	assert.Error(t, err, "unsorted boundaries")
}

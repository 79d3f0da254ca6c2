package random

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func multinomial(t *testing.T, attrs map[string]any, logits *tensor.Tensor, samples int32) *tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("m", "Multinomial", nil, attrs), logits, tensor.Scalar(samples))[0]
}

// The cases of tensorflow/python/kernel_tests/random/multinomial_op_test.py:
// testSmallEntropy (a class 1000 logits below the other is never drawn),
// testEmpty and testEmptyClasses, testSamples (frequencies match
// softmax(logits)); and multinomial_op.cc's rule that a non-finite logit
// is never drawn.
func TestMultinomialTF(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float16, tensor.Float32, tensor.Float64, tensor.Int32} {
		logits := kerneltest.Values(dt, tensor.Shape{2, 2}, -1000, 0, 0, -1000)
		got := multinomial(t, map[string]any{"T": dt, "seed": int64(5)}, logits, 10)
		assert.Equal(t, tensor.Int64, got.DType())
		assert.Equal(t, []int64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, got.Data(), "%v", dt)
	}
	got := multinomial(t, map[string]any{"T": tensor.Float32, "output_dtype": tensor.Int32}, kerneltest.Tensor(tensor.Shape{3, 4}, make([]float32, 12)...), 0)
	assert.Equal(t, tensor.Shape{3, 0}, got.Shape())
	assert.Equal(t, tensor.Int32, got.DType())
	_, err := kerneltest.Call(graph.NewNode("m", "Multinomial", nil, map[string]any{"T": tensor.Float32}), kerneltest.Tensor(tensor.Shape{3, 0}, []float32{}...), tensor.Scalar(int32(4)))
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, "num_classes should be positive")

	inf := math.Inf(1)
	got = multinomial(t, map[string]any{"T": tensor.Float64}, kerneltest.Tensor(tensor.Shape{1, 4}, math.NaN(), 0, -inf, inf), 200)
	for _, c := range got.Data().([]int64) {
		require.Equal(t, int64(1), c, "only the finite logit is drawn")
	}

	logits := []float64{1, 2, 0.5, -1}
	n := 40000
	got = multinomial(t, map[string]any{"T": tensor.Float64, "seed": int64(1), "seed2": int64(2)}, kerneltest.Tensor(tensor.Shape{1, 4}, logits...), int32(n))
	counts := make([]float64, 4)
	for _, c := range got.Data().([]int64) {
		counts[c]++
	}
	z := 0.0
	for _, l := range logits {
		z += math.Exp(l)
	}
	for i, l := range logits {
		assert.InDelta(t, math.Exp(l)/z, counts[i]/float64(n), 0.01, "class %d", i)
	}
}

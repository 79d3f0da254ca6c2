package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestArgmaxDilationAgainstTFJS holds MaxPoolWithArgmax and Dilation2D to
// TensorFlow.js's tf.maxPoolWithArgmax and tf.dilation2d
// (testdata/tfjs_argmax_dilation.js wrote the file).
func TestArgmaxDilationAgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_argmax_dilation", tensor.Tolerance{RTol: 1e-6, ATol: 1e-6}, 36)
}

func TestMaxPoolWithArgmaxTies(t *testing.T) {
	// The first maximum in row-major order wins; a NaN counts only where
	// it comes first in its window.
	nan := float32(math.NaN())
	x := f32(tensor.Shape{1, 2, 4, 1}, 5, 5, nan, 1, 5, 5, 2, nan)
	out := runOp(t, "MaxPoolWithArgmax", map[string]any{"T": tensor.Float32, "ksize": []int{1, 2, 2, 1}, "strides": []int{1, 2, 2, 1}, "padding": "VALID"}, x)
	v := tensor.Values[float32](out[0])
	assert.Equal(t, float32(5), v[0])
	assert.True(t, math.IsNaN(float64(v[1])))
	assert.Equal(t, []int64{0, 2}, tensor.Values[int64](out[1]))
	_, err := callOp("MaxPoolWithArgmax", map[string]any{"T": tensor.Float32, "ksize": []int{1, 2, 2, 2}, "strides": []int{1, 1, 1, 2}, "padding": "VALID"}, x)
	require.Error(t, err, "a depth window")
	_, err = callOp("Dilation2D", map[string]any{"T": tensor.Float32, "strides": []int{1, 1, 1, 1}, "rates": []int{1, 1, 1, 1}, "padding": "VALID"},
		x, f32(tensor.Shape{2, 2, 2}, 1, 1, 1, 1, 1, 1, 1, 1))
	require.Error(t, err, "depths differ")
}

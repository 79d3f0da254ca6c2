package nn

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestPool3DAgainstTFJS holds AvgPool3D and MaxPool3D to TensorFlow.js's
// tf.avgPool3d and tf.maxPool3d (testdata/tfjs_pool3d.js wrote the file).
func TestPool3DAgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_pool3d", tensor.Tolerance{RTol: 1e-6, ATol: 1e-6}, 36)
}

func TestPool3DEdges(t *testing.T) {
	attrs := func(op string, dt tensor.DType) map[string]any {
		return map[string]any{"T": dt, "ksize": []int{1, 2, 2, 2, 1}, "strides": []int{1, 2, 2, 2, 1}, "padding": "VALID"}
	}
	t.Run("max skips NaN and keeps the lowest finite value", func(t *testing.T) {
		nan := float32(math.NaN())
		x := tensor.MustFromSlice(tensor.Shape{1, 2, 2, 2, 2}, []float32{nan, nan, nan, -1, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan})
		out := runOp(t, "MaxPool3D", attrs("MaxPool3D", tensor.Float32), x)
		assert.Equal(t, []float32{-math.MaxFloat32, -1}, tensor.Values[float32](out[0]))
	})
	t.Run("half", func(t *testing.T) {
		x := kerneltest.Half(tensor.Shape{1, 2, 2, 2, 1}, 1, 2, 3, 4, 5, 6, 7, 8)
		out := runOp(t, "AvgPool3D", attrs("AvgPool3D", tensor.Float16), x)
		assert.Equal(t, float32(4.5), tensor.Values[tensor.F16](out[0])[0].Float32())
		out = runOp(t, "MaxPool3D", attrs("MaxPool3D", tensor.Float16), x)
		assert.Equal(t, float32(8), tensor.Values[tensor.F16](out[0])[0].Float32())
	})
	for _, tc := range []struct {
		name string
		op   string
		a    map[string]any
	}{
		{"MaxPool3D float64", "MaxPool3D", attrs("", tensor.Float64)},
		{"batch window", "AvgPool3D", map[string]any{"T": tensor.Float32, "ksize": []int{2, 1, 1, 1, 1}, "strides": []int{1, 1, 1, 1, 1}, "padding": "VALID"}},
		{"four values", "AvgPool3D", map[string]any{"T": tensor.Float32, "ksize": []int{1, 1, 1, 1}, "strides": []int{1, 1, 1, 1}, "padding": "VALID"}},
		{"zero stride", "MaxPool3D", map[string]any{"T": tensor.Float32, "ksize": []int{1, 1, 1, 1, 1}, "strides": []int{1, 0, 1, 1, 1}, "padding": "VALID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := callOp(tc.op, tc.a, f32(tensor.Shape{1, 2, 2, 2, 1}, seq(8)...))
			require.Error(t, err)
		})
	}
}

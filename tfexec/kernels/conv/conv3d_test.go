package conv

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestConv3DAgainstTFJS holds Conv3D to TensorFlow.js's tf.conv3d
// (testdata/tfjs_conv3d.js wrote the file), in float32 and, on the same
// float32-exact inputs, float64.
func TestConv3DAgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_conv3d", tensor.Tolerance{RTol: 1e-5, ATol: 1e-5}, 28)
}

func TestConv3DErrors(t *testing.T) {
	x := kerneltest.Values(tensor.Float32, tensor.Shape{1, 3, 3, 3, 2}, make([]float64, 54)...)
	f := kerneltest.Values(tensor.Float32, tensor.Shape{2, 2, 2, 2, 1}, make([]float64, 16)...)
	attrs := func(kv ...any) map[string]any {
		a := map[string]any{"T": tensor.Float32, "strides": []int{1, 1, 1, 1, 1}, "padding": "VALID"}
		for i := 0; i < len(kv); i += 2 {
			a[kv[i].(string)] = kv[i+1]
		}
		return a
	}
	for _, tc := range []struct {
		name  string
		attrs map[string]any
		in    []*tensor.Tensor
	}{
		{"batch stride", attrs("strides", []int{2, 1, 1, 1, 1}), []*tensor.Tensor{x, f}},
		{"four strides", attrs("strides", []int{1, 1, 1, 1}), []*tensor.Tensor{x, f}},
		{"explicit padding", attrs("padding", "EXPLICIT"), []*tensor.Tensor{x, f}},
		{"bad format", attrs("data_format", "NHWC"), []*tensor.Tensor{x, f}},
		{"int32", attrs("T", tensor.Int32), []*tensor.Tensor{x, f}},
		{"rank 4 input", attrs(), []*tensor.Tensor{kerneltest.Values(tensor.Float32, tensor.Shape{3, 3, 3, 2}, make([]float64, 54)...), f}},
		{"depth mismatch", attrs(), []*tensor.Tensor{x, kerneltest.Values(tensor.Float32, tensor.Shape{2, 2, 2, 3, 1}, make([]float64, 24)...)}},
		{"window larger than input", attrs(), []*tensor.Tensor{x, kerneltest.Values(tensor.Float32, tensor.Shape{5, 2, 2, 2, 1}, make([]float64, 40)...)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("n", "Conv3D", nil, tc.attrs), tc.in...)
			assert.Error(t, err)
		})
	}
	t.Run("grouped", func(t *testing.T) {
		// Two groups of one channel each: output channel g sees only
		// input channel g, so a filter of ones sums each channel.
		xv := make([]float64, 54)
		for i := range xv {
			xv[i] = float64(i%2*10 + 1)
		}
		ones := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
		out, err := kerneltest.Call(graph.NewNode("n", "Conv3D", nil, attrs()),
			kerneltest.Values(tensor.Float32, tensor.Shape{1, 3, 3, 3, 2}, xv...),
			kerneltest.Values(tensor.Float32, tensor.Shape{2, 2, 2, 1, 2}, ones...))
		require.NoError(t, err)
		want := make([]float64, 16)
		for i := range want {
			want[i] = float64(8 * (i%2*10 + 1))
		}
		assert.NoError(t, tensor.Compare(out[0], kerneltest.Values(tensor.Float32, tensor.Shape{1, 2, 2, 2, 2}, want...), tensor.Tolerance{}))
	})
}

package elementwise

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// run runs op once and returns its only output.
func run(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	out := kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)
	require.Len(t, out, 1)
	return out[0]
}

// runErr runs op once and returns its error.
func runErr(op string, attrs map[string]any, in ...*tensor.Tensor) error {
	_, err := kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
	return err
}

// tt builds a tensor of shape s from values.
func tt[T tensor.Element](s tensor.Shape, v ...T) *tensor.Tensor { return kerneltest.Tensor(s, v...) }

// sc builds a scalar.
func sc[T tensor.Element](v T) *tensor.Tensor { return tensor.Scalar(v) }

func halfs(v ...float32) []tensor.F16 {
	out := make([]tensor.F16, len(v))
	for i, x := range v {
		out[i] = tensor.NewF16(x)
	}
	return out
}

func bhalfs(v ...float32) []tensor.BF16 {
	out := make([]tensor.BF16, len(v))
	for i, x := range v {
		out[i] = tensor.NewBF16(x)
	}
	return out
}

// same asserts got equals want exactly (dtype, shape, values; NaN equals
// NaN).
func same(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}), "got %v, want %v", got, want)
}

// near asserts got matches want within a relative tolerance.
func near(t *testing.T, want, got *tensor.Tensor, rtol float64) {
	t.Helper()
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{RTol: rtol, ATol: rtol}), "got %v, want %v", got, want)
}

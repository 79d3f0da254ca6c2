package linalg

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tt builds a tensor of shape s from values of any element type.
func tt[T tensor.Element](s tensor.Shape, v ...T) *tensor.Tensor {
	if v == nil {
		v = []T{}
	}
	return tensor.MustFromSlice(s, v)
}

// sc builds a scalar.
func sc[T tensor.Element](v T) *tensor.Tensor { return tensor.Scalar(v) }

// vec builds a 1-D tensor.
func vec[T tensor.Element](v ...T) *tensor.Tensor { return tt(tensor.Shape{len(v)}, v...) }

// f16s builds a half tensor from float32 values.
func f16s(s tensor.Shape, v ...float32) *tensor.Tensor {
	out := make([]tensor.F16, len(v))
	for i, x := range v {
		out[i] = tensor.NewF16(x)
	}
	return tt(s, out...)
}

// runOp runs one node of op with attrs on inputs.
func runOp(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)
}

// callOp is runOp returning the error.
func callOp(op string, attrs map[string]any, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	return kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
}

// assertTensor checks dtype, shape and values exactly (NaN equals NaN).
func assertTensor(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}))
}

package linalg

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

func TestCross(t *testing.T) {
	tests := []struct {
		name string
		a, b *tensor.Tensor
		want *tensor.Tensor
	}{
		{"unit vectors", kerneltest.Vector[float32](1, 0, 0), kerneltest.Vector[float32](0, 1, 0), kerneltest.Vector[float32](0, 0, 1)},
		{"batch", kerneltest.Tensor(tensor.Shape{2, 3}, float64(1), 2, 3, 4, 5, 6), kerneltest.Tensor(tensor.Shape{2, 3}, float64(7), 8, 9, 1, 0, 0),
			kerneltest.Tensor(tensor.Shape{2, 3}, float64(-6), 12, -6, 0, 6, -5)},
		{"int", kerneltest.Vector[int32](1, 2, 3), kerneltest.Vector[int32](3, 2, 1), kerneltest.Vector[int32](-4, 8, -4)},
		{"uint wraps", kerneltest.Vector[uint8](1, 0, 0), kerneltest.Vector[uint8](0, 0, 1), kerneltest.Vector[uint8](0, 255, 0)},
		{"half", kerneltest.Half(tensor.Shape{3}, 1, 2, 3), kerneltest.Half(tensor.Shape{3}, 3, 2, 1), kerneltest.Half(tensor.Shape{3}, -4, 8, -4)},
		{"empty", kerneltest.Tensor[float32](tensor.Shape{0, 3}), kerneltest.Tensor[float32](tensor.Shape{0, 3}), kerneltest.Tensor[float32](tensor.Shape{0, 3})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := kerneltest.Run(t, graph.NewNode("n", "Cross", nil, nil), tc.a, tc.b)
			require.Len(t, out, 1)
			assert.NoError(t, tensor.Compare(out[0], tc.want, tensor.Tolerance{}))
		})
	}
}

func TestCrossErrors(t *testing.T) {
	tests := []struct {
		name string
		a, b *tensor.Tensor
		msg  string
	}{
		{"shape mismatch", kerneltest.Vector[float32](1, 2, 3), kerneltest.Tensor(tensor.Shape{1, 3}, float32(1), 2, 3), "Both inputs must be of same shape: [3] vs. [1,3]"},
		{"not 3-vectors", kerneltest.Vector[float32](1, 2), kerneltest.Vector[float32](1, 2), "only defined for 3-element vectors"},
		{"scalar", tensor.Scalar(float32(1)), tensor.Scalar(float32(1)), "Input must be at least 1D"},
		{"complex", kerneltest.Vector(complex64(1), 2, 3), kerneltest.Vector(complex64(1), 2, 3), "not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("n", "Cross", nil, nil), tc.a, tc.b)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

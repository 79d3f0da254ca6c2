package linalg

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

func TestCross(t *testing.T) {
	tests := []struct {
		name string
		a, b *tensor.Tensor
		want *tensor.Tensor
	}{
		{"unit vectors", vec[float32](1, 0, 0), vec[float32](0, 1, 0), vec[float32](0, 0, 1)},
		{"batch", tt(tensor.Shape{2, 3}, float64(1), 2, 3, 4, 5, 6), tt(tensor.Shape{2, 3}, float64(7), 8, 9, 1, 0, 0),
			tt(tensor.Shape{2, 3}, float64(-6), 12, -6, 0, 6, -5)},
		{"int", vec[int32](1, 2, 3), vec[int32](3, 2, 1), vec[int32](-4, 8, -4)},
		{"uint wraps", vec[uint8](1, 0, 0), vec[uint8](0, 0, 1), vec[uint8](0, 255, 0)},
		{"half", f16s(tensor.Shape{3}, 1, 2, 3), f16s(tensor.Shape{3}, 3, 2, 1), f16s(tensor.Shape{3}, -4, 8, -4)},
		{"empty", tt[float32](tensor.Shape{0, 3}), tt[float32](tensor.Shape{0, 3}), tt[float32](tensor.Shape{0, 3})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := runOp(t, "Cross", nil, tc.a, tc.b)
			require.Len(t, out, 1)
			assertTensor(t, tc.want, out[0])
		})
	}
}

func TestCrossErrors(t *testing.T) {
	tests := []struct {
		name string
		a, b *tensor.Tensor
		msg  string
	}{
		{"shape mismatch", vec[float32](1, 2, 3), tt(tensor.Shape{1, 3}, float32(1), 2, 3), "Both inputs must be of same shape: [3] vs. [1,3]"},
		{"not 3-vectors", vec[float32](1, 2), vec[float32](1, 2), "only defined for 3-element vectors"},
		{"scalar", sc[float32](1), sc[float32](1), "Input must be at least 1D"},
		{"complex", vec(complex64(1), 2, 3), vec(complex64(1), 2, 3), "not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := callOp("Cross", nil, tc.a, tc.b)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

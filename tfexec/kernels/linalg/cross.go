package linalg

import (
	"fmt"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// crossTypes are the dtypes of Cross: the real number types.
var crossTypes = kernel.RealTypes()

// crossFactory prepares Cross: inputs (a, b), attribute T.
func crossFactory(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", crossTypes); err != nil {
		return nil, err
	}
	return func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		out, err := cross(in[0], in[1])
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// cross computes the pairwise cross product of the 3-vectors in the last
// dimension of a and b.
func cross(a, b *tensor.Tensor) (*tensor.Tensor, error) {
	if !slices.Contains(crossTypes, a.DType()) {
		return nil, kernel.Unsupported("dtype %v", a.DType())
	}
	if a.DType() != b.DType() {
		return nil, kernel.Invalid("inputs have different dtypes %v and %v", a.DType(), b.DType())
	}
	shape := a.Shape()
	if !shape.Equal(b.Shape()) {
		return nil, kernel.Invalid("Both inputs must be of same shape: %v vs. %v", shape, b.Shape())
	}
	if len(shape) < 1 {
		return nil, kernel.Invalid("Input must be at least 1D%v", shape)
	}
	if shape[len(shape)-1] != 3 {
		return nil, kernel.Invalid("Cross-products are only defined for 3-element vectors.")
	}
	switch u := a.Data().(type) {
	case []float32:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]float32)))
	case []float64:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]float64)))
	case []int8:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]int8)))
	case []int16:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]int16)))
	case []int32:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]int32)))
	case []int64:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]int64)))
	case []uint8:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]uint8)))
	case []uint16:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]uint16)))
	case []uint32:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]uint32)))
	case []uint64:
		return tensor.FromSlice(shape, crossVectors(u, b.Data().([]uint64)))
	case []tensor.F16:
		return tensor.FromSlice(shape, crossRounded(u, b.Data().([]tensor.F16), tensor.F16.Float32, tensor.NewF16))
	case []tensor.BF16:
		return tensor.FromSlice(shape, crossRounded(u, b.Data().([]tensor.BF16), tensor.BF16.Float32, tensor.NewBF16))
	}
	return nil, kernel.Unsupported("dtype %v", a.DType())
}

func crossVectors[T tensor.Number](u, v []T) []T {
	out := make([]T, len(u))
	for i := 0; i+3 <= len(u); i += 3 {
		u1, u2, u3 := u[i], u[i+1], u[i+2]
		v1, v2, v3 := v[i], v[i+1], v[i+2]
		// The conversions forbid fused multiply-adds, which TensorFlow's
		// kernel does not use.
		out[i] = T(u2*v3) - T(u3*v2)
		out[i+1] = T(u3*v1) - T(u1*v3)
		out[i+2] = T(u1*v2) - T(u2*v1)
	}
	return out
}

// crossRounded rounds every product and difference to the input type, as
// Eigen's half and bfloat16 arithmetic does.
func crossRounded[H tensor.F16 | tensor.BF16](u, v []H, widen func(H) float32, round func(float32) H) []H {
	out := make([]H, len(u))
	mul := func(a, b H) float32 { return widen(round(widen(a) * widen(b))) }
	for i := 0; i+3 <= len(u); i += 3 {
		u1, u2, u3 := u[i], u[i+1], u[i+2]
		v1, v2, v3 := v[i], v[i+1], v[i+2]
		out[i] = round(mul(u2, v3) - mul(u3, v2))
		out[i+1] = round(mul(u3, v1) - mul(u1, v3))
		out[i+2] = round(mul(u1, v2) - mul(u2, v1))
	}
	return out
}

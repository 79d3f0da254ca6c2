package kerneltest

import (
	"math/rand/v2"

	"github.com/tfoffload/tfoffload/tensor"
)

// Tensor builds a tensor of shape s from values; no values make an empty
// tensor.
func Tensor[E tensor.Element](s tensor.Shape, v ...E) *tensor.Tensor {
	if v == nil {
		v = []E{}
	}
	return tensor.MustFromSlice(s, v)
}

// Vector builds a 1-D tensor.
func Vector[E tensor.Element](v ...E) *tensor.Tensor { return Tensor(tensor.Shape{len(v)}, v...) }

// Half builds a float16 tensor of shape s from float32 values, rounding
// each.
func Half(s tensor.Shape, v ...float32) *tensor.Tensor {
	out := make([]tensor.F16, len(v))
	for i, x := range v {
		out[i] = tensor.NewF16(x)
	}
	return Tensor(s, out...)
}

// BFloat16 builds a bfloat16 tensor of shape s from float32 values,
// rounding each.
func BFloat16(s tensor.Shape, v ...float32) *tensor.Tensor {
	out := make([]tensor.BF16, len(v))
	for i, x := range v {
		out[i] = tensor.NewBF16(x)
	}
	return Tensor(s, out...)
}

// Uniform returns a float32 tensor of the given shape holding uniform
// values in [−scale, scale) drawn from r.
func Uniform(r *rand.Rand, scale float32, shape ...int) *tensor.Tensor {
	s := tensor.Shape(shape)
	v := make([]float32, s.NumElements())
	for i := range v {
		v[i] = (2*r.Float32() - 1) * scale
	}
	return tensor.MustFromSlice(s, v)
}

package quant_test

import (
	"math/rand/v2"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// f32 builds a float32 tensor.
func f32(shape tensor.Shape, v ...float32) *tensor.Tensor {
	if v == nil {
		v = []float32{}
	}
	return tensor.MustFromSlice(shape, v)
}

// randT returns a float32 tensor of uniform values in [−scale, scale).
func randT(r *rand.Rand, scale float32, shape ...int) *tensor.Tensor {
	return kerneltest.Uniform(r, scale, shape...)
}

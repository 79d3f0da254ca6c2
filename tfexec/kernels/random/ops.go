package random

import (
	"math"
	"math/rand/v2"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	{Op: "RandomUniform", DTypes: kernel.FloatTypes(), TypeAttr: "dtype", New: floatOp(func(r *rand.Rand) float64 { return r.Float64() })},
	{Op: "RandomStandardNormal", DTypes: kernel.FloatTypes(), TypeAttr: "dtype", New: floatOp(func(r *rand.Rand) float64 { return r.NormFloat64() })},
	{Op: "TruncatedNormal", DTypes: kernel.FloatTypes(), TypeAttr: "dtype", New: floatOp(func(r *rand.Rand) float64 {
		// TensorFlow redraws values more than two standard deviations out.
		for {
			if v := r.NormFloat64(); math.Abs(v) <= 2 {
				return v
			}
		}
	})},
	{Op: "RandomUniformInt", DTypes: []tensor.DType{tensor.Int32, tensor.Int64}, TypeAttr: "Tout", New: uniformInt},
	{Op: "Multinomial", DTypes: kernel.RealTypes(), New: newMultinomial},
}

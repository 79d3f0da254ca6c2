package kerneltest

import (
	"strconv"

	"github.com/tfoffload/tfoffload/tensor"
)

// Values builds a tensor of any dtype from float64 values: numbers
// converted (saturating, as tensor.FromFloat64s does), complex numbers
// with a zero imaginary part, bools true where a value is non-zero,
// strings as decimal text, and resources and variants as zero values.
func Values(dt tensor.DType, shape tensor.Shape, vals ...float64) *tensor.Tensor {
	switch dt {
	case tensor.String:
		s := make([]string, len(vals))
		for i, v := range vals {
			s[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		return tensor.MustFromSlice(shape, s)
	case tensor.Complex64:
		c := make([]complex64, len(vals))
		for i, v := range vals {
			c[i] = complex(float32(v), 0)
		}
		return tensor.MustFromSlice(shape, c)
	case tensor.Complex128:
		c := make([]complex128, len(vals))
		for i, v := range vals {
			c[i] = complex(v, 0)
		}
		return tensor.MustFromSlice(shape, c)
	case tensor.Resource, tensor.Variant:
		return tensor.MustNew(dt, shape)
	}
	t, err := tensor.FromFloat64s(dt, shape, vals)
	if err != nil {
		panic(err)
	}
	return t
}

package elementwise

import (
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() {
	kernel.RegisterFactory("Real", complexPartFactory("Real"))
	kernel.RegisterFactory("Imag", complexPartFactory("Imag"))
	kernel.RegisterFactory("Angle", complexPartFactory("Angle"))
	kernel.RegisterFactory("Complex", newComplex)
}

// complexPart returns the loop extracting one part of a complex number.
func complexPart[C complexT, R floatT](op string) unLoop[C, R] {
	switch op {
	case "Real":
		return func(d []R, s []C) { each(d, s, func(z C) R { return R(real(complex128(z))) }) }
	case "Imag":
		return func(d []R, s []C) { each(d, s, func(z C) R { return R(imag(complex128(z))) }) }
	case "Angle":
		return func(d []R, s []C) {
			each(d, s, func(z C) R { c := complex128(z); return R(math.Atan2(imag(c), real(c))) })
		}
	}
	return nil
}

// complexPartFactory prepares Real, Imag and Angle: complex64 gives
// float32 and complex128 float64; the Tout attribute must agree.
func complexPartFactory(op string) kernel.Factory {
	t := unaryTable{}
	addUnary(t, complexPart[complex64, float32](op), costCheap)
	addUnary(t, complexPart[complex128, float64](op), costCheap)
	return func(n *kernel.Node) (kernel.Kernel, error) {
		if err := checkComplexPair(n, "T", "Tout", tensor.Complex64, false); err != nil {
			return nil, err
		}
		return unaryFactory(t)(n)
	}
}

// checkComplexPair validates a complex type attribute against its real
// counterpart: complex64 goes with float32, complex128 with float64.
// realFirst says which of the two attributes holds the real type.
func checkComplexPair(n *kernel.Node, first, second string, def tensor.DType, realFirst bool) error {
	pairs := map[tensor.DType]tensor.DType{tensor.Complex64: tensor.Float32, tensor.Complex128: tensor.Float64}
	a, err := n.Attrs.Type(first, def)
	if err != nil {
		return err
	}
	b, err := n.Attrs.Type(second, tensor.Invalid)
	if err != nil {
		return err
	}
	c, r := a, b
	if realFirst {
		c, r = b, a
	}
	if !n.Attrs.Has(second) {
		return nil
	}
	if want, ok := pairs[c]; !ok || want != r {
		return kernel.Unsupported("%s with %s=%v and %s=%v", n.Op(), first, a, second, b)
	}
	return nil
}

// newComplex prepares Complex(real, imag): broadcasting float32 or float64
// inputs into complex64 or complex128.
func newComplex(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkComplexPair(n, "T", "Tout", tensor.Float32, true); err != nil {
		return nil, err
	}
	t := binaryTable{}
	addBinary(t, binLoop[float32, complex64](func(d []complex64, x, y []float32) {
		zip(d, x, y, func(a, b float32) complex64 { return complex(a, b) })
	}), costCheap, nil)
	addBinary(t, binLoop[float64, complex128](func(d []complex128, x, y []float64) {
		zip(d, x, y, func(a, b float64) complex128 { return complex(a, b) })
	}), costCheap, nil)
	return binaryFactory(t)(n)
}

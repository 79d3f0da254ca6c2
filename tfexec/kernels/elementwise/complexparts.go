package elementwise

import (
	"math"
	"math/cmplx"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

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

// complexPartDef is the row of Real, Imag or Angle: complex64 gives
// float32 and complex128 float64; the Tout attribute must agree.
func complexPartDef(op string) kernel.Def {
	t := unaryTable{}
	addUnary(t, complexPart[complex64, float32](op), costCheap)
	addUnary(t, complexPart[complex128, float64](op), costCheap)
	return precheck(unaryDef(op, t), complexOut)
}

// complexOut checks the Tout of a complex-to-real op against T.
func complexOut(n *kernel.Node) error {
	return checkComplexPair(n, "T", "Tout", tensor.Complex64, false)
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

// complexDef is the row of Complex(real, imag): broadcasting float32 or
// float64 inputs into complex64 or complex128.
func complexDef() kernel.Def {
	t := binaryTable{}
	addBinary(t, binLoop[float32, complex64](func(d []complex64, x, y []float32) {
		zip(d, x, y, func(a, b float32) complex64 { return complex(a, b) })
	}), costCheap, nil)
	addBinary(t, binLoop[float64, complex128](func(d []complex128, x, y []float64) {
		zip(d, x, y, func(a, b float64) complex128 { return complex(a, b) })
	}), costCheap, nil)
	return precheck(binaryDef("Complex", t), func(n *kernel.Node) error {
		return checkComplexPair(n, "T", "Tout", tensor.Float32, true)
	})
}

// complexAbsDef is the row of ComplexAbs: |x| of complex64 (as float32)
// or complex128 (as float64) inputs. The Tout attribute must match.
func complexAbsDef() kernel.Def {
	t := unaryTable{}
	addUnary(t, unLoop[complex64, float32](func(d []float32, s []complex64) {
		each(d, s, func(z complex64) float32 { return float32(cmplx.Abs(complex128(z))) })
	}), costMath)
	addUnary(t, unLoop[complex128, float64](func(d []float64, s []complex128) {
		each(d, s, func(z complex128) float64 { return cmplx.Abs(z) })
	}), costMath)
	return precheck(unaryDef("ComplexAbs", t), complexOut)
}

package elementwise

import (
	"math"
	"math/cmplx"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// unaryCost is the rough per-element cost of an op for ParallelFor.
func unaryCost(op string) int {
	switch op {
	case "Abs", "Neg", "Square", "Sign", "Floor", "Ceil", "Round", "Rint", "IsFinite",
		"IsNan", "IsInf", "LogicalNot", "Invert", "Relu", "Relu6", "Reciprocal", "Inv", "Softsign":
		return costCheap
	case "Sqrt", "Rsqrt":
		return costDiv
	}
	return costMath
}

// unaryTableFor builds the dtype table of op from the loop families.
func unaryTableFor(op string) unaryTable {
	t := unaryTable{}
	cost := unaryCost(op)

	f32 := floatUn[float32](op)
	if a := activation32(op); a != nil {
		f32 = a
	}
	addUnary(t, f32, cost)
	addUnary(t, floatUn[float64](op), cost)
	if f32 != nil {
		addUnary(t, halfUnary[tensor.F16](f32), cost+costHalf)
		addUnary(t, halfUnary[tensor.BF16](f32), cost+costHalf)
	}
	p32 := floatPred[float32](op)
	addUnary(t, p32, costCheap)
	addUnary(t, floatPred[float64](op), costCheap)
	if p32 != nil {
		addUnary(t, halfUnaryTo[tensor.F16](p32), costCheap+costHalf)
		addUnary(t, halfUnaryTo[tensor.BF16](p32), costCheap+costHalf)
	}

	addUnary(t, pick1(signedUn[int8](op), intUn[int8](op)), cost)
	addUnary(t, pick1(signedUn[int16](op), intUn[int16](op)), cost)
	addUnary(t, pick1(signedUn[int32](op), intUn[int32](op)), cost)
	addUnary(t, pick1(signedUn[int64](op), intUn[int64](op)), cost)
	addUnary(t, intUn[uint8](op), cost)
	addUnary(t, intUn[uint16](op), cost)
	addUnary(t, intUn[uint32](op), cost)
	addUnary(t, intUn[uint64](op), cost)

	addUnary(t, complexUn[complex64](op), cost*4)
	addUnary(t, complexUn[complex128](op), cost*4)

	if op == "Elu" || op == "Selu" {
		addUnary(t, eluHalf[tensor.F16](op == "Selu"), cost+costHalf)
		addUnary(t, eluHalf[tensor.BF16](op == "Selu"), cost+costHalf)
	}
	if op == "Softplus" {
		round32 := func(v float64) float64 { return float64(float32(v)) }
		addUnary(t, softplus[float32](0x1p-23, round32), cost)
		addUnary(t, softplus[float64](0x1p-52, func(v float64) float64 { return v }), cost)
		addUnary(t, softplusHalf[tensor.F16](0x1p-10), cost+costHalf)
		addUnary(t, softplusHalf[tensor.BF16](0x1p-7), cost+costHalf)
	}
	if op == "LogicalNot" {
		addUnary(t, unLoop[bool, bool](func(d, s []bool) { each(d, s, func(v bool) bool { return !v }) }), costCheap)
	}
	return t
}

func pick1[T, R any](loops ...unLoop[T, R]) unLoop[T, R] {
	for _, l := range loops {
		if l != nil {
			return l
		}
	}
	return nil
}

// activation32 returns the float32 activations shared with the fused ops
// (kernel.Relu and friends), so that fused and unfused graphs agree.
func activation32(op string) unLoop[float32, float32] {
	switch op {
	case "Relu":
		return func(d, s []float32) { each(d, s, kernel.Relu) }
	case "Relu6":
		return func(d, s []float32) { each(d, s, kernel.Relu6) }
	case "Elu":
		return func(d, s []float32) { each(d, s, kernel.Elu) }
	case "Selu":
		return func(d, s []float32) { each(d, s, kernel.Selu) }
	case "Sigmoid":
		return func(d, s []float32) { each(d, s, kernel.Sigmoid) }
	case "Tanh":
		return func(d, s []float32) {
			each(d, s, func(x float32) float32 { return float32(math.Tanh(float64(x))) })
		}
	}
	return nil
}

// The constants of SELU as TensorFlow defines them.
const (
	seluScale      = 1.0507009873554804934193349852946
	seluScaleAlpha = 1.7580993408473768599402175208123
)

// softplus returns TensorFlow's Softplus for T, computed in float64:
// x above −threshold, exp(x) below threshold, log1p(exp(x)) between, where
// threshold = log(ε) + 2 for T's machine epsilon ε, computed in T
// (softplus_op.h). round rounds a value to T's precision; like TF, exp(x)
// is rounded to T before log1p is applied to it.
func softplus[T floatT](eps float64, round func(float64) float64) unLoop[T, T] {
	th := T(round(round(math.Log(eps)) + 2))
	return func(d, s []T) {
		each(d, s, func(x T) T {
			if x > -th {
				return x
			}
			e := round(math.Exp(float64(x)))
			if x < th {
				return T(e)
			}
			return T(math.Log1p(e))
		})
	}
}

// eluHalf is Elu or Selu for half or bfloat16 as Eigen's half arithmetic
// computes them: exp(x) is rounded to H, then exp(x)−1, then (Selu) the
// products with the constants, themselves rounded to H.
func eluHalf[H halfT](selu bool) unLoop[H, H] {
	round := func(v float32) float32 { return roundHalf[H](v) }
	scale, scaleAlpha := float32(1), float32(1)
	if selu {
		scale, scaleAlpha = round(seluScale), round(seluScaleAlpha)
	}
	return halfUnary[H](func(d, s []float32) {
		each(d, s, func(x float32) float32 {
			if x < 0 {
				em1 := round(round(float32(math.Exp(float64(x)))) - 1)
				return scaleAlpha * em1
			}
			return scale * x
		})
	})
}

// softplusHalf is softplus for half or bfloat16, with H's epsilon and
// rounding.
func softplusHalf[H halfT](eps float64) unLoop[H, H] {
	round := func(v float64) float64 {
		var h [1]H
		fromFloat32(h[:], []float32{float32(v)})
		var f [1]float32
		toFloat32(f[:], h[:])
		return float64(f[0])
	}
	return halfUnary[H](softplus[float32](eps, round))
}

// floatUn holds the float math ops; they run in float64 and round to T.
func floatUn[T floatT](op string) unLoop[T, T] {
	f64 := func(f func(float64) float64) unLoop[T, T] {
		return func(d, s []T) { each(d, s, func(x T) T { return T(f(float64(x))) }) }
	}
	switch op {
	case "Abs":
		return func(d, s []T) { each(d, s, func(x T) T { return T(math.Abs(float64(x))) }) }
	case "Neg":
		return func(d, s []T) { each(d, s, func(x T) T { return -x }) }
	case "Square":
		return func(d, s []T) { each(d, s, func(x T) T { return x * x }) }
	case "Reciprocal", "Inv":
		return func(d, s []T) { each(d, s, func(x T) T { return 1 / x }) }
	case "Sign":
		return func(d, s []T) {
			each(d, s, func(x T) T {
				switch {
				case x > 0:
					return 1
				case x < 0:
					return -1
				case x == 0:
					return 0
				}
				return x // NaN
			})
		}
	case "Relu":
		return func(d, s []T) {
			each(d, s, func(x T) T {
				if x < 0 {
					return 0
				}
				return x
			})
		}
	case "Relu6":
		return func(d, s []T) {
			each(d, s, func(x T) T {
				if x < 0 {
					return 0
				}
				if x > 6 {
					return 6
				}
				return x
			})
		}
	case "Softsign":
		return func(d, s []T) {
			each(d, s, func(x T) T {
				a := x
				if a < 0 {
					a = -a
				}
				return x / (a + 1)
			})
		}
	case "Sqrt":
		return f64(math.Sqrt)
	case "Rsqrt":
		return f64(func(x float64) float64 { return 1 / math.Sqrt(x) })
	case "Exp":
		return f64(math.Exp)
	case "Expm1":
		return f64(math.Expm1)
	case "Log":
		return f64(math.Log)
	case "Log1p":
		return f64(math.Log1p)
	case "Floor":
		return f64(math.Floor)
	case "Ceil":
		return f64(math.Ceil)
	case "Round", "Rint":
		return f64(math.RoundToEven)
	case "Erf":
		return f64(math.Erf)
	case "Erfc":
		return f64(math.Erfc)
	case "Sin":
		return f64(math.Sin)
	case "Cos":
		return f64(math.Cos)
	case "Tan":
		return f64(math.Tan)
	case "Asin":
		return f64(math.Asin)
	case "Acos":
		return f64(math.Acos)
	case "Atan":
		return f64(math.Atan)
	case "Sinh":
		return f64(math.Sinh)
	case "Cosh":
		return f64(math.Cosh)
	case "Tanh":
		return f64(math.Tanh)
	case "Asinh":
		return f64(math.Asinh)
	case "Acosh":
		return f64(math.Acosh)
	case "Atanh":
		return f64(math.Atanh)
	case "Lgamma":
		return f64(func(x float64) float64 {
			v, _ := math.Lgamma(x)
			return v
		})
	case "Erfinv":
		return f64(math.Erfinv)
	case "Ndtri":
		return f64(func(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) })
	case "Sigmoid":
		return f64(func(x float64) float64 {
			if x >= 0 {
				return 1 / (1 + math.Exp(-x))
			}
			e := math.Exp(x)
			return e / (1 + e)
		})
	case "Elu":
		return f64(func(x float64) float64 {
			if x < 0 {
				return math.Expm1(x)
			}
			return x
		})
	case "Selu":
		return f64(func(x float64) float64 {
			if x < 0 {
				return seluScaleAlpha * math.Expm1(x)
			}
			return seluScale * x
		})
	}
	return nil
}

// floatPred holds the float classification ops.
func floatPred[T floatT](op string) unLoop[T, bool] {
	switch op {
	case "IsFinite":
		return func(d []bool, s []T) { each(d, s, func(x T) bool { return !math.IsInf(float64(x), 0) && x == x }) }
	case "IsNan":
		return func(d []bool, s []T) { each(d, s, func(x T) bool { return x != x }) }
	case "IsInf":
		return func(d []bool, s []T) { each(d, s, func(x T) bool { return math.IsInf(float64(x), 0) }) }
	}
	return nil
}

// signedUn holds the ops that exist for signed integers only.
func signedUn[T sintT](op string) unLoop[T, T] {
	switch op {
	case "Abs":
		return func(d, s []T) {
			each(d, s, func(x T) T {
				if x < 0 {
					return -x
				}
				return x
			})
		}
	case "Neg":
		return func(d, s []T) { each(d, s, func(x T) T { return -x }) }
	case "Sign":
		return func(d, s []T) {
			each(d, s, func(x T) T {
				switch {
				case x > 0:
					return 1
				case x < 0:
					return -1
				}
				return 0
			})
		}
	}
	return nil
}

// intUn holds the integer ops shared by signed and unsigned types.
func intUn[T integerT](op string) unLoop[T, T] {
	switch op {
	case "Square":
		return func(d, s []T) { each(d, s, func(x T) T { return x * x }) }
	case "Round":
		return func(d, s []T) { copy(d, s) }
	case "Invert":
		return func(d, s []T) { each(d, s, func(x T) T { return ^x }) }
	case "Relu":
		return func(d, s []T) { each(d, s, func(x T) T { return max(x, 0) }) }
	case "Relu6":
		return func(d, s []T) { each(d, s, func(x T) T { return min(max(x, 0), 6) }) }
	}
	return nil
}

// complexUn holds the complex forms of the math ops, through math/cmplx.
func complexUn[T complexT](op string) unLoop[T, T] {
	c128 := func(f func(complex128) complex128) unLoop[T, T] {
		return func(d, s []T) { each(d, s, func(x T) T { return T(f(complex128(x))) }) }
	}
	switch op {
	case "Neg":
		return func(d, s []T) { each(d, s, func(x T) T { return -x }) }
	case "Conj":
		return func(d, s []T) { each(d, s, conj[T]) }
	case "Square":
		return func(d, s []T) { each(d, s, func(x T) T { return x * x }) }
	case "Reciprocal", "Inv":
		return func(d, s []T) { each(d, s, func(x T) T { return 1 / x }) }
	case "Sign":
		return c128(func(z complex128) complex128 {
			a := cmplx.Abs(z)
			if a == 0 {
				return 0
			}
			return complex(real(z)/a, imag(z)/a)
		})
	case "Sqrt":
		return c128(cmplx.Sqrt)
	case "Rsqrt":
		return c128(func(z complex128) complex128 { return 1 / cmplx.Sqrt(z) })
	case "Exp":
		return c128(cmplx.Exp)
	case "Expm1":
		return c128(func(z complex128) complex128 {
			// exp(a+ib) − 1 = expm1(a)·cos b − 2·sin²(b/2) + i·exp(a)·sin b,
			// accurate near zero.
			a, b := real(z), imag(z)
			h := math.Sin(b / 2)
			return complex(math.Expm1(a)*math.Cos(b)-2*h*h, math.Exp(a)*math.Sin(b))
		})
	case "Log":
		return c128(cmplx.Log)
	case "Log1p":
		return c128(func(z complex128) complex128 {
			x, y := real(z), imag(z)
			r := math.Hypot(x+1, y)
			theta := math.Atan2(y, x+1)
			if r < 0.5 || r > 2 {
				return complex(math.Log(r), theta)
			}
			return complex(0.5*math.Log1p(x*(x+2)+y*y), theta)
		})
	case "Sin":
		return c128(cmplx.Sin)
	case "Cos":
		return c128(cmplx.Cos)
	case "Tan":
		return c128(cmplx.Tan)
	case "Asin":
		return c128(cmplx.Asin)
	case "Acos":
		return c128(cmplx.Acos)
	case "Atan":
		return c128(cmplx.Atan)
	case "Sinh":
		return c128(cmplx.Sinh)
	case "Cosh":
		return c128(cmplx.Cosh)
	case "Tanh":
		return c128(cmplx.Tanh)
	case "Asinh":
		return c128(cmplx.Asinh)
	case "Acosh":
		return c128(cmplx.Acosh)
	case "Atanh":
		return c128(cmplx.Atanh)
	case "Sigmoid":
		return c128(func(z complex128) complex128 { return 1 / (1 + cmplx.Exp(-z)) })
	}
	return nil
}

package elementwise

import (
	"math"
	"math/cmplx"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// binaryCost is the rough per-element cost of an op for ParallelFor.
func binaryCost(op string) int {
	switch op {
	case "Div", "RealDiv", "DivNoNan", "FloorDiv", "FloorMod", "Mod", "TruncateDiv", "TruncateMod":
		return costDiv
	case "Pow", "Atan2", "Xlogy", "Xlog1py":
		return costMath
	}
	return costCheap
}

// isDivision reports whether op fails on an integer divisor of zero.
func isDivision(op string) bool {
	switch op {
	case "Div", "FloorDiv", "FloorMod", "Mod", "TruncateDiv", "TruncateMod":
		return true
	}
	return false
}

// binaryTableFor builds the dtype table of op from the loop families.
func binaryTableFor(op string) binaryTable {
	t := binaryTable{}
	cost := binaryCost(op)

	f32 := pick(numBin[float32](op), floatBin[float32](op))
	addBinary(t, f32, cost, nil)
	addBinary(t, pick(numBin[float64](op), floatBin[float64](op)), cost, nil)
	if f32 != nil {
		addBinary(t, halfBin[tensor.F16](op, f32), cost+costHalf, nil)
		addBinary(t, halfBin[tensor.BF16](op, f32), cost+costHalf, nil)
	}

	addIntBinary[int8](t, op, cost)
	addIntBinary[int16](t, op, cost)
	addIntBinary[int32](t, op, cost)
	addIntBinary[int64](t, op, cost)
	addIntBinary[uint8](t, op, cost)
	addIntBinary[uint16](t, op, cost)
	addIntBinary[uint32](t, op, cost)
	addIntBinary[uint64](t, op, cost)

	addBinary(t, pick(numBin[complex64](op), complexBin[complex64](op)), cost*4, nil)
	addBinary(t, pick(numBin[complex128](op), complexBin[complex128](op)), cost*4, nil)
	addBinary(t, stringBin(op), costDiv, nil)

	addBinary(t, cmpBin[float32](op), costCheap, nil)
	addBinary(t, cmpBin[float64](op), costCheap, nil)
	if c := cmpBin[float32](op); c != nil {
		addBinary(t, halfBinaryTo[tensor.F16](c), costCheap+costHalf, nil)
		addBinary(t, halfBinaryTo[tensor.BF16](c), costCheap+costHalf, nil)
	}
	addBinary(t, cmpBin[int8](op), costCheap, nil)
	addBinary(t, cmpBin[int16](op), costCheap, nil)
	addBinary(t, cmpBin[int32](op), costCheap, nil)
	addBinary(t, cmpBin[int64](op), costCheap, nil)
	addBinary(t, cmpBin[uint8](op), costCheap, nil)
	addBinary(t, cmpBin[uint16](op), costCheap, nil)
	addBinary(t, cmpBin[uint32](op), costCheap, nil)
	addBinary(t, cmpBin[uint64](op), costCheap, nil)
	addBinary(t, eqBin[complex64](op), costCheap, nil)
	addBinary(t, eqBin[complex128](op), costCheap, nil)
	addBinary(t, eqBin[string](op), costDiv, nil)
	addBinary(t, pick(eqBin[bool](op), boolBin(op)), costCheap, nil)
	return t
}

// addIntBinary registers op's integer loop for T, with the divisor or
// exponent check TensorFlow's CPU kernels make.
func addIntBinary[T integerT](t binaryTable, op string, cost int) {
	var check func([]T) error
	switch {
	case isDivision(op):
		check = nonZero[T]
	case op == "Pow":
		check = nonNegative[T]
	}
	addBinary(t, pick(numBin[T](op), intBin[T](op)), cost, check)
}

// pick returns the first non-nil loop.
func pick[T, R any](loops ...binLoop[T, R]) binLoop[T, R] {
	for _, l := range loops {
		if l != nil {
			return l
		}
	}
	return nil
}

func nonZero[T integerT](y []T) error {
	for _, v := range y {
		if v == 0 {
			return kernel.Invalid("Integer division by zero")
		}
	}
	return nil
}

func nonNegative[T integerT](y []T) error {
	for _, v := range y {
		if v < 0 {
			return kernel.Invalid("Integers to negative integer powers are not allowed")
		}
	}
	return nil
}

// numBin holds the ops that mean the same on every number type. Integer
// "/" truncates toward zero, which is TensorFlow's integer Div.
func numBin[T numberT](op string) binLoop[T, T] {
	switch op {
	case "Add", "AddV2":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a + b }) }
	case "Sub":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a - b }) }
	case "Mul":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a * b }) }
	case "Div":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a / b }) }
	}
	return nil
}

// floatBin holds the float-only ops and the float forms of the others.
func floatBin[T floatT](op string) binLoop[T, T] {
	switch op {
	case "Prelu": // TensorFlow.js's: alpha·x where x is negative
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if a < 0 {
					return b * a
				}
				return a
			})
		}
	case "RealDiv":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a / b }) }
	case "DivNoNan":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if b == 0 {
					return 0
				}
				return a / b
			})
		}
	case "MulNoNan":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if b == 0 {
					return 0
				}
				return a * b
			})
		}
	case "FloorDiv":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return T(math.Floor(float64(a / b))) }) }
	case "FloorMod":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				m := T(math.Mod(float64(a), float64(b)))
				if m != 0 && (b < 0) != (m < 0) {
					return m + b
				}
				return m
			})
		}
	case "Mod", "TruncateMod":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return T(math.Mod(float64(a), float64(b))) }) }
	case "Maximum":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				switch {
				case a != a:
					return a
				case b != b:
					return b
				case a < b:
					return b
				}
				return a
			})
		}
	case "Minimum":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				switch {
				case a != a:
					return a
				case b != b:
					return b
				case b < a:
					return b
				}
				return a
			})
		}
	case "Pow":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return T(math.Pow(float64(a), float64(b))) }) }
	case "SquaredDifference":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				v := a - b
				return v * v
			})
		}
	case "Atan2":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return T(math.Atan2(float64(a), float64(b))) }) }
	case "Xdivy":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if a == 0 {
					return 0
				}
				return a / b
			})
		}
	case "Xlogy":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if a == 0 {
					return 0
				}
				return a * T(math.Log(float64(b)))
			})
		}
	case "Xlog1py":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if a == 0 {
					return 0
				}
				return a * T(math.Log1p(float64(b)))
			})
		}
	}
	return nil
}

// halfBin lifts op's float32 loop to half or bfloat16. SquaredDifference
// rounds its difference to H before squaring, as Eigen's half arithmetic
// does; every other op rounds once.
func halfBin[H halfT](op string, f32 binLoop[float32, float32]) binLoop[H, H] {
	if op == "SquaredDifference" {
		sub := halfBinary[H](numBin[float32]("Sub"))
		mul := halfBinary[H](numBin[float32]("Mul"))
		return func(d, x, y []H) {
			sub(d, x, y)
			mul(d, d, d)
		}
	}
	return halfBinary[H](f32)
}

// intBin holds the integer-only ops and the integer forms of the others.
// Division-like loops rely on the caller having rejected zero divisors.
func intBin[T integerT](op string) binLoop[T, T] {
	switch op {
	case "TruncateDiv":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a / b }) }
	case "FloorDiv":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				q := a / b
				if q*b != a && (a < 0) != (b < 0) {
					return q - 1
				}
				return q
			})
		}
	case "FloorMod":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				m := a % b
				if m != 0 && (b < 0) != (m < 0) {
					return m + b
				}
				return m
			})
		}
	case "Mod", "TruncateMod":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a % b }) }
	case "Maximum":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return max(a, b) }) }
	case "Minimum":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return min(a, b) }) }
	case "Pow":
		return func(d, x, y []T) { zip(d, x, y, ipow[T]) }
	case "SquaredDifference":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				v := a - b
				return v * v
			})
		}
	case "BitwiseAnd":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a & b }) }
	case "BitwiseOr":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a | b }) }
	case "BitwiseXor":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a ^ b }) }
	case "LeftShift":
		bits := bitWidth[T]()
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a << shiftAmount(b, bits) }) }
	case "RightShift":
		bits := bitWidth[T]()
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a >> shiftAmount(b, bits) }) }
	}
	return nil
}

// ipow is x**y by squaring, wrapping on overflow like C++ integer
// arithmetic; y must be non-negative.
func ipow[T integerT](x, y T) T {
	r := T(1)
	for y > 0 {
		if y&1 != 0 {
			r *= x
		}
		x *= x
		y >>= 1
	}
	return r
}

// bitWidth returns the number of bits of T.
func bitWidth[T integerT]() uint {
	return uint(tensor.DTypeOf[T]().Size() * 8)
}

// shiftAmount clamps a shift to [0, bits−1], as TensorFlow's shift
// functors do to avoid undefined behaviour.
func shiftAmount[T integerT](s T, bits uint) uint {
	if s < 0 {
		return 0
	}
	if uint64(s) > uint64(bits-1) {
		return bits - 1
	}
	return uint(s)
}

// complexBin holds the complex forms of the ops that have one.
func complexBin[T complexT](op string) binLoop[T, T] {
	switch op {
	case "RealDiv":
		return func(d, x, y []T) { zip(d, x, y, func(a, b T) T { return a / b }) }
	case "DivNoNan":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				// A zero numerator gives zero even when |b|² underflows.
				if b == 0 || a*conj(b) == 0 {
					return 0
				}
				return a / b
			})
		}
	case "MulNoNan":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if b == 0 {
					return 0
				}
				return a * b
			})
		}
	case "Pow":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T { return T(cmplx.Pow(complex128(a), complex128(b))) })
		}
	case "SquaredDifference":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				v := a - b
				return v * conj(v)
			})
		}
	case "Xdivy":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if a == 0 {
					return 0
				}
				return a / b
			})
		}
	case "Xlogy":
		return func(d, x, y []T) {
			zip(d, x, y, func(a, b T) T {
				if a == 0 {
					return 0
				}
				return a * T(cmplx.Log(complex128(b)))
			})
		}
	}
	return nil
}

func conj[T complexT](v T) T {
	switch c := any(v).(type) {
	case complex64:
		return T(complex(real(c), -imag(c)))
	case complex128:
		return T(complex(real(c), -imag(c)))
	}
	return v
}

// stringBin is Add on strings: concatenation.
func stringBin(op string) binLoop[string, string] {
	if op == "Add" || op == "AddV2" {
		return func(d, x, y []string) { zip(d, x, y, func(a, b string) string { return a + b }) }
	}
	return nil
}

// cmpBin holds the comparisons of real numbers. NaN compares unequal to
// everything, as in C++.
func cmpBin[T realT](op string) binLoop[T, bool] {
	switch op {
	case "Equal":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a == b }) }
	case "NotEqual":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a != b }) }
	case "Less":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a < b }) }
	case "LessEqual":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a <= b }) }
	case "Greater":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a > b }) }
	case "GreaterEqual":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a >= b }) }
	}
	return nil
}

// eqBin holds Equal and NotEqual for the comparable non-real types.
func eqBin[T complex64 | complex128 | string | bool](op string) binLoop[T, bool] {
	switch op {
	case "Equal":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a == b }) }
	case "NotEqual":
		return func(d []bool, x, y []T) { zip(d, x, y, func(a, b T) bool { return a != b }) }
	}
	return nil
}

// boolBin holds the logical ops.
func boolBin(op string) binLoop[bool, bool] {
	switch op {
	case "LogicalAnd":
		return func(d, x, y []bool) { zip(d, x, y, func(a, b bool) bool { return a && b }) }
	case "LogicalOr":
		return func(d, x, y []bool) { zip(d, x, y, func(a, b bool) bool { return a || b }) }
	}
	return nil
}

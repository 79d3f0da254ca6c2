// Package elementwise implements tfexec's elementwise kernels: activations,
// unary and binary math with NumPy broadcasting, comparisons, logic,
// selection, casts and clipping, with TensorFlow's CPU semantics.
// Importing the package registers its kernel table (ops.go).
//
// # Ops
//
// Activations: Relu, Relu6, LeakyRelu, Prelu (TensorFlow.js), Elu, Selu, Softplus, Softsign,
// Sigmoid, Tanh.
//
// Unary math: Abs, Neg, Square, Sqrt, Rsqrt, Reciprocal, Inv, Exp, Expm1,
// Log, Log1p, Sign, Floor, Ceil, Round, Rint, Erf, Erfc, Erfinv, Ndtri,
// Lgamma, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh,
// IsFinite, IsNan, IsInf, LogicalNot, Invert; complex parts ComplexAbs,
// Real, Imag, Angle, Conj.
//
// Binary math (broadcasting): Add, AddV2, Sub, Mul, MulNoNan, RealDiv, Div,
// DivNoNan, FloorDiv, FloorMod, Mod, TruncateDiv, TruncateMod, Maximum,
// Minimum, Pow, SquaredDifference, Atan2, Xdivy, Xlogy, Xlog1py,
// BitwiseAnd, BitwiseOr, BitwiseXor, LeftShift, RightShift, Complex.
//
// Comparisons and logic (broadcasting, bool output): Equal, NotEqual,
// Less, LessEqual, Greater, GreaterEqual, LogicalAnd, LogicalOr.
//
// Others: AddN, AccumulateNV2 (AddN once all inputs are there), Select,
// SelectV2, Cast, Bitcast, ClipByValue, Bucketize (the number of float
// boundaries not above each value).
//
// # Dtypes
//
// The package's kernel table (ops.go) lists every op with its dtypes. For
// the math ops the row's dtypes are those of the loop table its kernel
// runs: unaryTableFor and binaryTableFor assemble it from typed loop
// families (floatUn, intUn, complexUn, numBin, cmpBin, ...), each of
// which has a case for the ops it implements, and the row takes the
// table's keys. A test checks every row both ways: declared dtypes are
// prepared and run, the others refused with kernel.ErrUnsupported.
//
// Each op accepts the dtypes TensorFlow's CPU kernels register for it
// other than the quantized types (left to package quant), sometimes more where the
// meaning is unambiguous (for example every integer width for the integer
// ops): float ops take half, bfloat16, float32 and float64; integer ops
// all signed and unsigned widths; Add, Sub, Mul, Div and most float math
// also complex64 and complex128; Add also strings (concatenation); Equal
// and NotEqual every type but resources and variants. Select, SelectV2 and Bitcast
// move bits of any (fixed-size, for Bitcast) type.
//
// # Semantics worth knowing
//
// Half and bfloat16 are computed in float32 and rounded back once per op,
// as Eigen's half arithmetic does for single operations (SquaredDifference
// rounds its difference first, as Eigen does). Transcendental functions
// are computed in float64 and rounded, so they may differ from Eigen's
// vectorised float32 approximations in the last bit. The float32
// activations (Relu, Relu6, Elu, Selu, LeakyRelu, Sigmoid, Tanh) are
// kernel.Relu and friends, which the fused conv and matmul kernels use too,
// so fused and unfused graphs agree. Softplus uses TensorFlow's thresholds
// log(ε)+2 per dtype. Sign(NaN) is NaN, as in current Eigen.
//
// Integer Div, TruncateDiv, FloorDiv, Mod, TruncateMod and FloorMod fail
// with "Integer division by zero" when a divisor is zero, and Pow fails
// with "Integers to negative integer powers are not allowed" for a
// negative integer exponent, as TensorFlow's CPU kernels do; the most
// negative integer divided by −1 wraps. Div on integers truncates toward
// zero (TruncateDiv); FloorDiv and FloorMod follow Python. Maximum and
// Minimum propagate NaN. Shifts clamp the shift amount to [0, bits−1].
//
// Equal and NotEqual with incompatible_shape_error=false return a scalar
// false (true for NotEqual) when the shapes do not broadcast. Select takes
// a condition of the same shape as its branches, a scalar, or a vector
// that selects rows; SelectV2 broadcasts all three inputs.
//
// Cast follows C++ static_cast on x86-64 for float to integer conversions:
// truncation toward zero, with NaN and out-of-range values giving the
// value cvttss2si produces (the most negative int32/int64, then narrowed
// by wrapping for smaller types). Complex to real drops the imaginary part.
// Truncate=true zeroes the dropped mantissa bits before a narrowing float
// conversion instead of rounding to nearest even.
//
// # Broadcasting and speed
//
// Every binary op is a single "vector op vector" loop per dtype. The
// broadcasting driver collapses dimensions that broadcast alike, then runs
// the loop over contiguous rows, expanding a broadcast operand into a small
// buffer where needed; same-shape, scalar and row-vector inputs take fast
// paths. Large tensors are split over goroutines with kernel.ParallelFor.
package elementwise

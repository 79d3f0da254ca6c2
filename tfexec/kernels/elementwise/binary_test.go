package elementwise

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

var (
	nan32 = float32(math.NaN())
	inf32 = float32(math.Inf(1))
)

type binCase struct {
	name  string
	op    string
	attrs map[string]any
	x, y  *tensor.Tensor
	want  *tensor.Tensor
}

func runBinCases(t *testing.T, cases []binCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			same(t, c.want, run(t, c.op, c.attrs, c.x, c.y))
		})
	}
}

func TestBroadcasting(t *testing.T) {
	runBinCases(t, []binCase{
		{"same shape", "Add", nil, tt(tensor.Shape{2, 2}, float32(1), 2, 3, 4), tt(tensor.Shape{2, 2}, float32(10), 20, 30, 40),
			tt(tensor.Shape{2, 2}, float32(11), 22, 33, 44)},
		{"scalar left", "Sub", nil, sc(float32(10)), tt(tensor.Shape{3}, float32(1), 2, 3),
			tt(tensor.Shape{3}, float32(9), 8, 7)},
		{"scalar right", "Sub", nil, tt(tensor.Shape{3}, float32(1), 2, 3), sc(float32(10)),
			tt(tensor.Shape{3}, float32(-9), -8, -7)},
		{"scalars", "Mul", nil, sc(int32(6)), sc(int32(7)), sc(int32(42))},
		{"rank-1 scalar-like", "Mul", nil, tt(tensor.Shape{1}, int32(6)), sc(int32(7)), tt(tensor.Shape{1}, int32(42))},
		{"row vector", "Add", nil, tt(tensor.Shape{2, 3}, int32(0), 1, 2, 3, 4, 5), tt(tensor.Shape{3}, int32(10), 20, 30),
			tt(tensor.Shape{2, 3}, int32(10), 21, 32, 13, 24, 35)},
		{"row vector left", "Sub", nil, tt(tensor.Shape{3}, int32(10), 20, 30), tt(tensor.Shape{2, 3}, int32(0), 1, 2, 3, 4, 5),
			tt(tensor.Shape{2, 3}, int32(10), 19, 28, 7, 16, 25)},
		{"column vector", "Sub", nil, tt(tensor.Shape{2, 3}, int32(0), 1, 2, 3, 4, 5), tt(tensor.Shape{2, 1}, int32(1), 2),
			tt(tensor.Shape{2, 3}, int32(-1), 0, 1, 1, 2, 3)},
		{"column vector left", "Sub", nil, tt(tensor.Shape{2, 1}, int32(1), 2), tt(tensor.Shape{2, 3}, int32(0), 1, 2, 3, 4, 5),
			tt(tensor.Shape{2, 3}, int32(1), 0, -1, -1, -2, -3)},
		{"outer", "Mul", nil, tt(tensor.Shape{3, 1}, int64(1), 2, 3), tt(tensor.Shape{1, 4}, int64(1), 10, 100, 1000),
			tt(tensor.Shape{3, 4}, int64(1), 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000)},
		{"rank 3 against rank 2", "Add", nil,
			tt(tensor.Shape{2, 1, 3}, float64(0), 1, 2, 3, 4, 5), tt(tensor.Shape{2, 1}, float64(10), 20),
			tt(tensor.Shape{2, 2, 3}, float64(10), 11, 12, 20, 21, 22, 13, 14, 15, 23, 24, 25)},
		{"middle axis", "Add", nil,
			tt(tensor.Shape{2, 2, 2}, int32(0), 1, 2, 3, 4, 5, 6, 7), tt(tensor.Shape{1, 2, 1}, int32(10), 20),
			tt(tensor.Shape{2, 2, 2}, int32(10), 11, 22, 23, 14, 15, 26, 27)},
		{"empty", "Add", nil, tt[float32](tensor.Shape{0, 3}), tt(tensor.Shape{3}, float32(1), 2, 3), tt[float32](tensor.Shape{0, 3})},
		{"empty against scalar", "Div", nil, tt[int32](tensor.Shape{0}), sc(int32(0)), tt[int32](tensor.Shape{0})},
		{"leading ones", "Add", nil, tt(tensor.Shape{1, 1, 2}, int32(1), 2), tt(tensor.Shape{2}, int32(10), 20),
			tt(tensor.Shape{1, 1, 2}, int32(11), 22)},
	})
}

// TestBroadcastAgainstReference compares the broadcasting driver with the
// naive index-array path on many shape pairs, including long rows that
// cross the scratch buffer size and the row-tiling path.
func TestBroadcastAgainstReference(t *testing.T) {
	shapes := [][2]tensor.Shape{
		{{7, 5}, {5}}, {{7, 5}, {7, 1}}, {{1, 5}, {7, 1}}, {{3, 1, 4}, {2, 1}}, {{4, 1, 3, 1}, {1, 5, 1, 6}},
		{{2000, 3}, {3}}, {{3}, {2000, 3}}, {{1300}, {2, 1300}}, {{2, 1}, {2, 1300}}, {{1300, 2}, {1300, 1}},
		{{600, 600}, {600}}, {{5, 1, 1, 700}, {1, 3, 2, 1}}, {{6, 1}, {1}}, {{1}, {6, 1}}, {{4, 3, 2}, {4, 1, 2}},
	}
	for _, s := range shapes {
		x := make([]float64, s[0].NumElements())
		for i := range x {
			x[i] = float64(i)
		}
		y := make([]float64, s[1].NumElements())
		for i := range y {
			y[i] = float64(i) * 1e6
		}
		out, err := tensor.BroadcastShapes(s[0], s[1])
		require.NoError(t, err)
		sub := numBin[float64]("Sub")
		got := broadcastBinary(sub, x, y, s[0], s[1], out, 1)
		xi, yi := kernel.BroadcastIndex(s[0], out), kernel.BroadcastIndex(s[1], out)
		want := make([]float64, len(got))
		for i := range want {
			want[i] = x[xi[i]] - y[yi[i]]
		}
		assert.Equal(t, want, got, "%v - %v", s[0], s[1])
	}
}

func TestArithmetic(t *testing.T) {
	runBinCases(t, []binCase{
		{"AddV2 float64", "AddV2", nil, tt(tensor.Shape{2}, 0.1, 0.2), sc(0.3), tt(tensor.Shape{2}, 0.1+0.3, 0.2+0.3)},
		{"Add uint8 wraps", "Add", nil, tt(tensor.Shape{2}, uint8(250), 1), sc(uint8(10)), tt(tensor.Shape{2}, uint8(4), 11)},
		{"Add int8 wraps", "Add", nil, sc(int8(127)), sc(int8(1)), sc(int8(-128))},
		{"Add strings", "Add", nil, tt(tensor.Shape{2}, "a", "b"), sc("!"), tt(tensor.Shape{2}, "a!", "b!")},
		{"AddV2 strings", "AddV2", nil, sc("x"), tt(tensor.Shape{2, 1}, "1", "2"), tt(tensor.Shape{2, 1}, "x1", "x2")},
		{"Add complex", "Add", nil, sc(complex64(1 + 2i)), tt(tensor.Shape{2}, complex64(1), 1i), tt(tensor.Shape{2}, complex64(2+2i), 1+3i)},
		// 1 + 2⁻¹¹ is halfway between two halves: ties to even gives 1.
		{"Add half rounds once", "Add", nil, tt(tensor.Shape{2}, halfs(1, 1)...), tt(tensor.Shape{2}, halfs(0x1p-11, 0x1.8p-11)...),
			tt(tensor.Shape{2}, halfs(1, 1+0x1p-10)...)},
		{"Add bfloat16", "Add", nil, tt(tensor.Shape{1}, bhalfs(1)...), tt(tensor.Shape{1}, bhalfs(0x1p-8)...), tt(tensor.Shape{1}, bhalfs(1)...)},
		{"Sub int64", "Sub", nil, sc(int64(math.MinInt64)), sc(int64(1)), sc(int64(math.MaxInt64))},
		{"Mul complex128", "Mul", nil, sc(complex(1, 2)), sc(complex(3, 4)), sc(complex(-5, 10))},
		{"Mul half", "Mul", nil, tt(tensor.Shape{1}, halfs(300)...), tt(tensor.Shape{1}, halfs(300)...), tt(tensor.Shape{1}, halfs(inf32)...)},
		{"Div int truncates", "Div", nil, tt(tensor.Shape{4}, int32(7), -7, 7, -7), tt(tensor.Shape{4}, int32(2), 2, -2, -2),
			tt(tensor.Shape{4}, int32(3), -3, -3, 3)},
		{"Div int min by -1 wraps", "Div", nil, sc(int32(math.MinInt32)), sc(int32(-1)), sc(int32(math.MinInt32))},
		{"Div uint16", "Div", nil, sc(uint16(65535)), sc(uint16(2)), sc(uint16(32767))},
		{"Div float by zero", "Div", nil, tt(tensor.Shape{3}, float32(1), -1, 0), sc(float32(0)), tt(tensor.Shape{3}, inf32, -inf32, nan32)},
		{"Div complex", "Div", nil, sc(complex64(-5 + 10i)), sc(complex64(3 + 4i)), sc(complex64(1 + 2i))},
		{"RealDiv", "RealDiv", nil, sc(float32(1)), sc(float32(3)), sc(float32(1) / 3)},
		{"TruncateDiv", "TruncateDiv", nil, tt(tensor.Shape{2}, int64(-7), 7), sc(int64(2)), tt(tensor.Shape{2}, int64(-3), 3)},
		{"FloorDiv int", "FloorDiv", nil, tt(tensor.Shape{5}, int32(7), -7, 7, -7, -6), tt(tensor.Shape{5}, int32(2), 2, -2, -2, 3),
			tt(tensor.Shape{5}, int32(3), -4, -4, 3, -2)},
		{"FloorDiv int min by -1", "FloorDiv", nil, sc(int8(-128)), sc(int8(-1)), sc(int8(-128))},
		{"FloorDiv uint", "FloorDiv", nil, sc(uint32(7)), sc(uint32(2)), sc(uint32(3))},
		{"FloorDiv float", "FloorDiv", nil, tt(tensor.Shape{3}, float32(7), -7, 1), tt(tensor.Shape{3}, float32(2), 2, 0),
			tt(tensor.Shape{3}, float32(3), -4, inf32)},
		{"FloorDiv half", "FloorDiv", nil, tt(tensor.Shape{1}, halfs(-7)...), tt(tensor.Shape{1}, halfs(2)...), tt(tensor.Shape{1}, halfs(-4)...)},
		{"FloorMod int", "FloorMod", nil, tt(tensor.Shape{4}, int32(7), -7, 7, -7), tt(tensor.Shape{4}, int32(2), 2, -2, -2),
			tt(tensor.Shape{4}, int32(1), 1, -1, -1)},
		{"FloorMod float", "FloorMod", nil, tt(tensor.Shape{5}, 7.5, -7.5, 7.5, -7.5, 4), tt(tensor.Shape{5}, 2.0, 2, -2, -2, 2),
			tt(tensor.Shape{5}, 1.5, 0.5, -0.5, -1.5, 0)},
		{"Mod int", "Mod", nil, tt(tensor.Shape{4}, int32(7), -7, 7, -7), tt(tensor.Shape{4}, int32(2), 2, -2, -2),
			tt(tensor.Shape{4}, int32(1), -1, 1, -1)},
		{"TruncateMod float", "TruncateMod", nil, tt(tensor.Shape{4}, float32(7.5), -7.5, 7.5, -7.5), tt(tensor.Shape{4}, float32(2), 2, -2, -2),
			tt(tensor.Shape{4}, float32(1.5), -1.5, 1.5, -1.5)},
		{"Mod int min by -1", "Mod", nil, sc(int64(math.MinInt64)), sc(int64(-1)), sc(int64(0))},
		{"Maximum float NaN", "Maximum", nil, tt(tensor.Shape{4}, nan32, 1, 2, -1), tt(tensor.Shape{4}, float32(1), nan32, 1, inf32),
			tt(tensor.Shape{4}, nan32, nan32, 2, inf32)},
		{"Minimum float NaN", "Minimum", nil, tt(tensor.Shape{4}, nan32, 1, 2, -1), tt(tensor.Shape{4}, float32(1), nan32, 1, inf32),
			tt(tensor.Shape{4}, nan32, nan32, 1, -1)},
		{"Maximum uint8", "Maximum", nil, tt(tensor.Shape{2}, uint8(3), 200), sc(uint8(100)), tt(tensor.Shape{2}, uint8(100), 200)},
		{"Minimum int16", "Minimum", nil, tt(tensor.Shape{2}, int16(-3), 200), sc(int16(100)), tt(tensor.Shape{2}, int16(-3), 100)},
		{"Maximum half", "Maximum", nil, tt(tensor.Shape{2}, halfs(-1, 2.5)...), sc(tensor.NewF16(0)), tt(tensor.Shape{2}, halfs(0, 2.5)...)},
		{"Pow int", "Pow", nil, tt(tensor.Shape{4}, int32(2), 3, -2, 5), tt(tensor.Shape{4}, int32(10), 3, 3, 0),
			tt(tensor.Shape{4}, int32(1024), 27, -8, 1)},
		{"Pow int wraps", "Pow", nil, tt(tensor.Shape{2}, int32(2), 3), tt(tensor.Shape{2}, int32(31), 21),
			tt(tensor.Shape{2}, int32(math.MinInt32), 1870418611)},
		{"Pow int8 wraps", "Pow", nil, sc(int8(2)), sc(int8(8)), sc(int8(0))},
		{"Pow float", "Pow", nil, tt(tensor.Shape{3}, float32(2), -8, 1), tt(tensor.Shape{3}, float32(0.5), float32(1)/3, nan32),
			tt(tensor.Shape{3}, float32(math.Sqrt2), nan32, 1)},
		// TensorFlow.js's prelu: x < 0 ? alpha·x : x (tfjs-core's CPU
		// kernel), the values worked out by hand.
		{"Prelu", "Prelu", nil, tt(tensor.Shape{4}, float32(-2), -0.5, 0, 3), tt(tensor.Shape{4}, float32(0.1), 0.2, 0.3, 0.4),
			tt(tensor.Shape{4}, float32(-0.2), -0.1, 0, 3)},
		{"Prelu channel alpha", "Prelu", nil, tt(tensor.Shape{2, 2}, float64(-1), 2, -3, 4), tt(tensor.Shape{2}, float64(0.5), 0.25),
			tt(tensor.Shape{2, 2}, float64(-0.5), 2, -1.5, 4)},
		{"SquaredDifference int", "SquaredDifference", nil, tt(tensor.Shape{2}, int32(1), 5), tt(tensor.Shape{2}, int32(4), 2),
			tt(tensor.Shape{2}, int32(9), 9)},
		{"SquaredDifference float", "SquaredDifference", nil, tt(tensor.Shape{2}, float32(1.5), -1), sc(float32(0.5)),
			tt(tensor.Shape{2}, float32(1), 2.25)},
		{"SquaredDifference complex", "SquaredDifference", nil, sc(complex64(1 + 2i)), sc(complex64(0)), sc(complex64(5))},
		// 2 − 2⁻¹¹ rounds (ties to even) to 2 in half before squaring, as
		// Eigen's half arithmetic does; a single rounding would give 4 − 2⁻⁹.
		{"SquaredDifference half rounds twice", "SquaredDifference", nil, tt(tensor.Shape{1}, halfs(2)...), tt(tensor.Shape{1}, halfs(0x1p-11)...),
			tt(tensor.Shape{1}, halfs(4)...)},
		{"Atan2", "Atan2", nil, tt(tensor.Shape{3}, float32(1), 1, 0), tt(tensor.Shape{3}, float32(1), -1, -1),
			tt(tensor.Shape{3}, float32(math.Pi/4), float32(3*math.Pi/4), float32(math.Pi))},
		{"DivNoNan", "DivNoNan", nil, tt(tensor.Shape{3}, float32(1), 0, 2), tt(tensor.Shape{3}, float32(0), 0, 4),
			tt(tensor.Shape{3}, float32(0), 0, 0.5)},
		{"DivNoNan complex", "DivNoNan", nil, tt(tensor.Shape{2}, complex64(1), 2i), tt(tensor.Shape{2}, complex64(0), 2),
			tt(tensor.Shape{2}, complex64(0), 1i)},
		{"MulNoNan", "MulNoNan", nil, tt(tensor.Shape{3}, inf32, nan32, 2), tt(tensor.Shape{3}, float32(0), 0, 3),
			tt(tensor.Shape{3}, float32(0), 0, 6)},
		{"BitwiseAnd", "BitwiseAnd", nil, tt(tensor.Shape{2}, int32(12), -1), sc(int32(10)), tt(tensor.Shape{2}, int32(8), 10)},
		{"BitwiseOr", "BitwiseOr", nil, tt(tensor.Shape{2}, uint8(12), 1), sc(uint8(10)), tt(tensor.Shape{2}, uint8(14), 11)},
		{"BitwiseXor", "BitwiseXor", nil, tt(tensor.Shape{2}, uint64(12), math.MaxUint64), sc(uint64(10)), tt(tensor.Shape{2}, uint64(6), math.MaxUint64-10)},
		{"LeftShift clamps", "LeftShift", nil, tt(tensor.Shape{4}, int8(1), 1, 1, 3), tt(tensor.Shape{4}, int8(7), 8, -1, 1),
			tt(tensor.Shape{4}, int8(-128), -128, 1, 6)},
		{"RightShift clamps", "RightShift", nil, tt(tensor.Shape{3}, int8(-128), -128, 64), tt(tensor.Shape{3}, int8(1), 10, -3),
			tt(tensor.Shape{3}, int8(-64), -1, 64)},
		{"RightShift unsigned", "RightShift", nil, tt(tensor.Shape{2}, uint8(255), 255), tt(tensor.Shape{2}, uint8(4), 200),
			tt(tensor.Shape{2}, uint8(15), 1)},
	})
}

func TestPowComplex(t *testing.T) {
	near(t, sc(complex128(-1)), run(t, "Pow", nil, sc(complex128(1i)), sc(complex128(2))), 1e-15)
	near(t, sc(complex64(-1)), run(t, "Pow", nil, sc(complex64(1i)), sc(complex64(2))), 1e-6)
}

func TestComparisons(t *testing.T) {
	x := tt(tensor.Shape{4}, float32(1), 2, 3, nan32)
	y := sc(float32(2))
	b := func(v ...bool) *tensor.Tensor { return tt(tensor.Shape{len(v)}, v...) }
	runBinCases(t, []binCase{
		{"Less", "Less", nil, x, y, b(true, false, false, false)},
		{"LessEqual", "LessEqual", nil, x, y, b(true, true, false, false)},
		{"Greater", "Greater", nil, x, y, b(false, false, true, false)},
		{"GreaterEqual", "GreaterEqual", nil, x, y, b(false, true, true, false)},
		{"Equal", "Equal", nil, x, y, b(false, true, false, false)},
		{"NotEqual", "NotEqual", nil, x, y, b(true, false, true, true)},
		{"Less int broadcast", "Less", nil, tt(tensor.Shape{2, 1}, int32(1), 5), tt(tensor.Shape{2}, int32(2), 6),
			tt(tensor.Shape{2, 2}, true, true, false, true)},
		{"Greater uint64", "Greater", nil, sc(uint64(math.MaxUint64)), sc(uint64(1)), sc(true)},
		{"Less half", "Less", nil, tt(tensor.Shape{2}, halfs(-1, 1)...), sc(tensor.NewF16(0)), b(true, false)},
		{"GreaterEqual bfloat16", "GreaterEqual", nil, tt(tensor.Shape{2}, bhalfs(-1, 1)...), sc(tensor.NewBF16(1)), b(false, true)},
		{"Equal strings", "Equal", nil, tt(tensor.Shape{2}, "a", "b"), sc("b"), b(false, true)},
		{"NotEqual bool", "NotEqual", nil, b(true, false), sc(true), b(false, true)},
		{"Equal complex", "Equal", nil, tt(tensor.Shape{2}, complex64(1i), 1), sc(complex64(1i)), b(true, false)},
		{"Equal incompatible lenient", "Equal", map[string]any{"incompatible_shape_error": false},
			tt(tensor.Shape{2}, int32(1), 2), tt(tensor.Shape{3}, int32(1), 2, 3), sc(false)},
		{"NotEqual incompatible lenient", "NotEqual", map[string]any{"incompatible_shape_error": false},
			tt(tensor.Shape{2}, int32(1), 2), tt(tensor.Shape{3}, int32(1), 2, 3), sc(true)},
		{"Equal compatible lenient", "Equal", map[string]any{"incompatible_shape_error": false},
			tt(tensor.Shape{2}, int32(1), 2), sc(int32(2)), b(false, true)},
		{"LogicalAnd", "LogicalAnd", nil, tt(tensor.Shape{2, 2}, true, true, false, false), b(true, false),
			tt(tensor.Shape{2, 2}, true, false, false, false)},
		{"LogicalOr", "LogicalOr", nil, tt(tensor.Shape{2, 2}, true, true, false, false), b(true, false),
			tt(tensor.Shape{2, 2}, true, true, true, false)},
	})
}

func TestBinaryErrors(t *testing.T) {
	cases := []struct {
		name    string
		op      string
		attrs   map[string]any
		in      []*tensor.Tensor
		invalid bool // kernel.ErrInvalidArgument, else ErrUnsupported
		msg     string
	}{
		{"incompatible shapes", "Add", nil, []*tensor.Tensor{tt(tensor.Shape{2}, float32(1), 2), tt(tensor.Shape{3}, float32(1), 2, 3)}, true, "Incompatible shapes: [2] vs. [3]"},
		{"incompatible Equal strict", "Equal", nil, []*tensor.Tensor{tt(tensor.Shape{2}, int32(1), 2), tt(tensor.Shape{3}, int32(1), 2, 3)}, true, "Incompatible shapes"},
		{"dtype mismatch", "Mul", nil, []*tensor.Tensor{sc(float32(1)), sc(int32(1))}, true, "dtypes differ"},
		{"int division by zero", "Div", nil, []*tensor.Tensor{tt(tensor.Shape{2}, int32(1), 2), tt(tensor.Shape{2}, int32(1), 0)}, true, "Integer division by zero"},
		{"FloorMod by zero", "FloorMod", nil, []*tensor.Tensor{sc(uint8(1)), sc(uint8(0))}, true, "Integer division by zero"},
		{"TruncateMod by zero", "TruncateMod", nil, []*tensor.Tensor{sc(int64(1)), sc(int64(0))}, true, "Integer division by zero"},
		{"negative int power", "Pow", nil, []*tensor.Tensor{sc(int32(2)), tt(tensor.Shape{2}, int32(1), -1)}, true, "Integers to negative integer powers are not allowed"},
		{"bitwise on float", "BitwiseAnd", nil, []*tensor.Tensor{sc(float32(1)), sc(float32(1))}, false, "BitwiseAnd on dtype float32"},
		{"RealDiv on int", "RealDiv", nil, []*tensor.Tensor{sc(int32(1)), sc(int32(1))}, false, "RealDiv on dtype int32"},
		{"Less on complex", "Less", nil, []*tensor.Tensor{sc(complex64(1)), sc(complex64(1))}, false, "Less on dtype complex64"},
		{"Sub on strings", "Sub", nil, []*tensor.Tensor{sc("a"), sc("b")}, false, "Sub on dtype string"},
		{"bad T attribute", "Maximum", map[string]any{"T": tensor.Bool}, []*tensor.Tensor{sc(true), sc(true)}, false, "attribute \"T\" = bool"},
		{"bad incompatible_shape_error", "Equal", map[string]any{"incompatible_shape_error": 1}, []*tensor.Tensor{sc(true), sc(true)}, true, "incompatible_shape_error"},
		{"one input", "Add", nil, []*tensor.Tensor{sc(float32(1))}, true, "expected 2 inputs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := runErr(c.op, c.attrs, c.in...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.msg)
			switch {
			case c.msg == "expected 2 inputs" || c.msg == "incompatible_shape_error":
			case c.invalid:
				assert.True(t, errors.Is(err, kernel.ErrInvalidArgument), "%v", err)
			default:
				assert.True(t, errors.Is(err, kernel.ErrUnsupported), "%v", err)
			}
		})
	}
}

// TestEmptyDivisionByZero checks that an empty output never reports a
// zero divisor, as TensorFlow computes no element.
func TestEmptyDivisionByZero(t *testing.T) {
	out := run(t, "FloorDiv", nil, tt[int32](tensor.Shape{0, 2}), tt(tensor.Shape{2}, int32(0), 0))
	same(t, tt[int32](tensor.Shape{0, 2}), out)
}

// TestBinaryDoesNotModifyInputs runs a broadcasting op on large inputs
// (parallel path) and checks the inputs are unchanged.
func TestBinaryDoesNotModifyInputs(t *testing.T) {
	n := 1 << 16
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i)
	}
	xt := tt(tensor.Shape{n / 64, 64}, x...)
	yt := tt(tensor.Shape{64}, make([]float32, 64)...)
	before := xt.Clone()
	out := run(t, "AddV2", nil, xt, yt)
	same(t, before, xt)
	same(t, before, out)
}

package quant_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// The expected values below are TensorFlow's own, from
// tensorflow/core/kernels/quantize_op_test.cc (QuantizedOpTest and
// ParameterizedQuantizeOpTest) and dequantize_op_test.cc
// (DequantizeOpTest); each case names its TEST_F.

func quantNode(op string, attrs map[string]any) *tfpb.NodeDef {
	return graph.NewNode("q", op, nil, attrs)
}

// quantized wraps integers as a tensor of the quantized dtype dt.
func quantized[E int8 | uint8 | int16 | uint16 | int32](dt tensor.DType, shape tensor.Shape, v ...E) *tensor.Tensor {
	t, err := tensor.FromAny(dt, shape, v)
	if err != nil {
		panic(err)
	}
	return t
}

func ints(t *testing.T, x *tensor.Tensor) []int64 {
	f, err := tensor.Float64s(x)
	require.NoError(t, err)
	out := make([]int64, len(f))
	for i, v := range f {
		out[i] = int64(v)
	}
	return out
}

func TestQuantizeV2TensorFlowVectors(t *testing.T) {
	cases := []struct {
		name             string // the TEST_F in quantize_op_test.cc
		attrs            map[string]any
		in               []float32
		min, max         float32
		want             []int64
		wantMin, wantMax float32
		tol              float64 // on output_min and output_max
	}{
		{"QuantizeV2", map[string]any{"T": tensor.Quint8, "mode": "MIN_FIRST"},
			[]float32{0, 1, 1.25, 1.75, 127, 255, 500}, 0, 255, []int64{0, 1, 1, 2, 127, 255, 255}, 0, 255, 1e-5},
		{"QuantizeV2EqualRange", map[string]any{"T": tensor.Quint8, "mode": "MIN_FIRST"},
			[]float32{0, 0, 0, 0, 0, 0}, 0, 0, []int64{0, 0, 0, 0, 0, 0}, 0, 0.01, 1e-5},
		{"QuantizeV2MovesMinToIncludeZero", map[string]any{"T": tensor.Quint8, "mode": "MIN_FIRST"},
			[]float32{0.1, 0.2, 0.3}, 0.1, 0.3, []int64{85, 170, 255}, 0, 0.3, 1e-5},
		{"QuantizeV2MovesMaxToIncludeZero", map[string]any{"T": tensor.Quint8, "mode": "MIN_FIRST"},
			[]float32{-0.1, -0.2, -0.3}, -0.3, -0.1, []int64{170, 85, 0}, -0.3, 0, 1e-5},
		{"QuantizeV2DisableEnsureMinimumRange", map[string]any{"T": tensor.Qint8, "mode": "MIN_FIRST", "ensure_minimum_range": float32(0)},
			[]float32{-0.000001, 0, 0.000042}, -0.000128, 0.000127, []int64{-1, 0, 42}, -0.000128, 0.000127, 1e-7},
		{"QuantizeV2Quint8ScaledSmallInputRange", map[string]any{"T": tensor.Quint8, "mode": "SCALED"},
			[]float32{-1, 0, 2}, -1, 2, []int64{0, 0, 255}, 0, 2, 0},
		{"QuantizeV2Qint8ScaledSmallInputRange", map[string]any{"T": tensor.Qint8, "mode": "SCALED"},
			[]float32{-0.064, 0, 0.127}, -0.064, 0.127, []int64{-64, 0, 127}, -0.128, 0.127, 0},
		{"QuantizeV2Qint8ScaledRoundToEven", map[string]any{"T": tensor.Qint8, "mode": "SCALED", "round_mode": "HALF_TO_EVEN"},
			[]float32{-126.5, 0, 1, 2.5, 3.5, 64, 127}, -128, -128, []int64{-126, 0, 1, 2, 4, 64, 127}, -128, 127, 0},
		{"QuantizeV2Qint8ScaledRoundAwayFromZero", map[string]any{"T": tensor.Qint8, "mode": "SCALED", "round_mode": "HALF_AWAY_FROM_ZERO"},
			[]float32{-126.5, 0, 1, 2.5, 3.5, 64, 127}, -128, -128, []int64{-127, 0, 1, 3, 4, 64, 127}, -128, 127, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := kerneltest.Run(t, quantNode("QuantizeV2", c.attrs),
				f32(tensor.Shape{len(c.in)}, c.in...), f32(tensor.Shape{1}, c.min), f32(tensor.Shape{1}, c.max))
			require.Len(t, out, 3)
			assert.Equal(t, c.attrs["T"], out[0].DType())
			assert.Equal(t, c.want, ints(t, out[0]))
			gotMin, gotMax := tensor.Values[float32](out[1])[0], tensor.Values[float32](out[2])[0]
			assert.InDelta(t, c.wantMin, gotMin, c.tol, "output_min")
			if c.name == "QuantizeV2EqualRange" {
				assert.Greater(t, gotMax, float32(0), "output_max") // TensorFlow asserts EXPECT_LT(0, max)
			} else {
				assert.InDelta(t, c.wantMax, gotMax, c.tol, "output_max")
			}
		})
	}
}

// TestQuantizeV2Qint32MinFirst is QuantizeV2_32Bit: x·2²³ within 2⁸.
func TestQuantizeV2Qint32MinFirst(t *testing.T) {
	in := []float32{-500, 0, 1, 1.25, 1.75, 127, 255, 500}
	out := kerneltest.Run(t, quantNode("QuantizeV2", map[string]any{"T": tensor.Qint32, "mode": "MIN_FIRST"}),
		f32(tensor.Shape{8}, in...), f32(tensor.Shape{1}, -256), f32(tensor.Shape{1}, 256))
	got := ints(t, out[0])
	want := []int64{math.MinInt32, 0, 1 << 23, 1.25 * (1 << 23), 1.75 * (1 << 23), 127 << 23, 255 << 23, math.MaxInt32}
	for i := range want {
		assert.Less(t, abs64(got[i]-want[i]), int64(1<<8), "element %d: %d, want %d", i, got[i], want[i])
	}
}

func abs64(v int64) int64 { return max(v, -v) }

// minstdRand is C++'s std::minstd_rand, which TensorFlow's
// ScalePerSliceAlongAxis draws its values with.
type minstdRand uint64

func (r *minstdRand) next() uint64 { *r = *r * 48271 % 2147483647; return uint64(*r) }

// scalePerSliceAlongAxis is the test helper of quantize_op_test.cc and
// dequantize_op_test.cc: values drawn from data (seed 123), multiplied by
// 1 + the index along axis.
func scalePerSliceAlongAxis(dims []int, axis int, data []float64) []float64 {
	r := minstdRand(123)
	size := tensor.Shape(dims).NumElements()
	minor, slices := 1, 1
	if axis != -1 {
		minor, slices = tensor.Shape(dims[axis+1:]).NumElements(), dims[axis]
	}
	out := make([]float64, size)
	for i := range out {
		v := data[r.next()%uint64(len(data))]
		out[i] = v * float64(i/minor%slices+1)
	}
	return out
}

func TestQuantizeV2ScaledPerAxis(t *testing.T) {
	dims := []int{2, 3, 4, 5}
	cases := []struct {
		name               string // the TEST_P in quantize_op_test.cc
		dt                 tensor.DType
		narrow             bool
		data, want         []float64
		minScale, maxScale float32 // min_range and max_range per slice, times slice+1
		wantMinS, wantMaxS float32
	}{
		{"QuantizeV2Quint8Scaled", tensor.Quint8, false,
			[]float64{-255, 0, 1, 1.25, 1.75, 64, 127, 500}, []float64{0, 0, 2, 3, 4, 129, 255, 255}, -255, 127, 0, 127},
		{"QuantizeV2Qint8Scaled", tensor.Qint8, false,
			[]float64{-128, 0, 1, 1.25, 1.75, 64, 127}, []float64{-128, 0, 1, 1, 2, 64, 127}, -128, 100, -128, 127},
		{"QuantizeV2Qint8ScaledNarrowRange", tensor.Qint8, true,
			[]float64{-128, 0, 1, 1.25, 1.75, 64, 127}, []float64{-127, 0, 1, 1, 2, 64, 126}, -128, 100, -128, 128},
	}
	for _, c := range cases {
		for _, axis := range []int{-1, 1, 3} {
			slices := 1
			if axis != -1 {
				slices = dims[axis]
			}
			x, err := tensor.FromFloat64s(tensor.Float32, dims, scalePerSliceAlongAxis(dims, axis, c.data))
			require.NoError(t, err)
			mins, maxs := make([]float32, slices), make([]float32, slices)
			for i := range slices {
				mins[i], maxs[i] = float32(i+1)*c.minScale, float32(i+1)*c.maxScale
			}
			out := kerneltest.Run(t, quantNode("QuantizeV2", map[string]any{"T": c.dt, "mode": "SCALED", "narrow_range": c.narrow, "axis": axis}),
				x, f32(tensor.Shape{slices}, mins...), f32(tensor.Shape{slices}, maxs...))
			want := scalePerSliceAlongAxis(dims, -1, c.want)
			got := ints(t, out[0])
			for i := range want {
				require.Equal(t, int64(want[i]), got[i], "%s axis %d element %d", c.name, axis, i)
			}
			for i := range slices {
				assert.Equal(t, float32(i+1)*c.wantMinS, tensor.Values[float32](out[1])[i], "%s axis %d output_min", c.name, axis)
				assert.Equal(t, float32(i+1)*c.wantMaxS, tensor.Values[float32](out[2])[i], "%s axis %d output_max", c.name, axis)
			}
		}
	}
}

func TestDequantizeScaled(t *testing.T) {
	dims := []int{2, 3, 4, 5}
	cases := []struct {
		name     string // the TEST_F in dequantize_op_test.cc
		dt       tensor.DType
		min, max float32
		axis     int
		values   []float64
		want     []float64
	}{
		{"DequantizeScaledQuint8Zero", tensor.Quint8, -255, 127, -1, []float64{0}, []float64{0}},
		{"DequantizeScaledQuint8CheckIgnoresNegative", tensor.Quint8, -512, 255, -1, []float64{255}, []float64{255}},
		{"DequantizeScaledQuint8ScaleDown", tensor.Quint8, -1, 2, -1, []float64{255}, []float64{2}},
		{"DequantizeScaledQuint8ScaleUp", tensor.Quint8, 200, 400, -1, []float64{255}, []float64{400}},
		{"DequantizeScaledQint8Zero", tensor.Qint8, -255, 127, -1, []float64{0}, []float64{0}},
		{"DequantizeScaledQint8ScaleIdentity", tensor.Qint8, -10, 127, -1, []float64{-127}, []float64{-127}},
		{"DequantizeScaledQint8ScaleDown", tensor.Qint8, -2, 1, -1, []float64{-128}, []float64{-2}},
		{"DequantizeScaledQint8ScaleUp", tensor.Qint8, -1, 300, -1, []float64{42}, []float64{99.212601}},
		{"DequantizeScaledQint8Axis1", tensor.Qint8, -12.8, 12.7, 1, []float64{-20, -10, 0, 1, 10, 20}, []float64{-2, -1, 0, 0.1, 1, 2}},
		{"DequantizeScaledQint8Axis3", tensor.Qint8, -12.8, 12.7, 3, []float64{-20, -10, 0, 1, 10, 20}, []float64{-2, -1, 0, 0.1, 1, 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			slices := 1
			if c.axis != -1 {
				slices = dims[c.axis]
			}
			x, err := tensor.FromFloat64s(c.dt, dims, scalePerSliceAlongAxis(dims, -1, c.values))
			require.NoError(t, err)
			mins, maxs := make([]float32, slices), make([]float32, slices)
			for i := range slices {
				mins[i], maxs[i] = float32(i+1)*c.min, float32(i+1)*c.max
			}
			out := kerneltest.Run(t, quantNode("Dequantize", map[string]any{"T": c.dt, "mode": "SCALED", "axis": c.axis}),
				x, f32(tensor.Shape{slices}, mins...), f32(tensor.Shape{slices}, maxs...))
			want, err := tensor.FromFloat64s(tensor.Float32, dims, scalePerSliceAlongAxis(dims, c.axis, c.want))
			require.NoError(t, err)
			// test::ExpectClose's default tolerance.
			assert.NoError(t, tensor.Compare(out[0], want, tensor.Tolerance{RTol: 1e-6, ATol: 1e-6}))
		})
	}
}

// TestDequantizeMinFirst is QuantizedOpTest.Dequantize (near 0.5).
func TestDequantizeMinFirst(t *testing.T) {
	out := kerneltest.Run(t, quantNode("Dequantize", map[string]any{"T": tensor.Quint8, "mode": "MIN_FIRST"}),
		quantized[uint8](tensor.Quint8, tensor.Shape{6}, 1, 2, 4, 8, 16, 255), f32(tensor.Shape{1}, 0), f32(tensor.Shape{1}, 255))
	assert.NoError(t, tensor.Compare(out[0], f32(tensor.Shape{6}, 1, 2, 4, 8, 16, 255), tensor.Tolerance{ATol: 0.5}))
}

// TestDequantizeMinCombined follows RunDequantizeMinCombinedTest and its
// bfloat16 twin over [0, 255]: every value of T, (q + half_range) ·
// (255 / range(T)), which is q (+128 for qint8) for the 8-bit types.
func TestDequantizeMinCombined(t *testing.T) {
	for _, dtype := range []tensor.DType{tensor.Float32, tensor.BFloat16} {
		u := make([]uint8, 255)
		s := make([]int8, 255)
		want := make([]float32, 255)
		for i := range u {
			u[i], s[i], want[i] = uint8(i), int8(i-128), float32(i)
		}
		for _, x := range []*tensor.Tensor{quantized(tensor.Quint8, tensor.Shape{255}, u...), quantized(tensor.Qint8, tensor.Shape{255}, s...)} {
			out := kerneltest.Run(t, quantNode("Dequantize", map[string]any{"T": x.DType(), "dtype": dtype}),
				x, f32(tensor.Shape{}, 0), f32(tensor.Shape{}, 255))
			require.Equal(t, dtype, out[0].DType())
			got, err := tensor.Float64s(out[0])
			require.NoError(t, err)
			for i, w := range want {
				require.Equal(t, float64(tensor.NewBF16(w).Float32()), got[i], "%v to %v element %d", x.DType(), dtype, i)
			}
		}
	}
	// quint16 over [0, 255]: q · 255/65535, computed as TensorFlow does in float32.
	out := kerneltest.Run(t, quantNode("Dequantize", map[string]any{"T": tensor.Quint16}),
		quantized[uint16](tensor.Quint16, tensor.Shape{2}, 0, 65535), f32(tensor.Shape{}, 0), f32(tensor.Shape{}, 255))
	assert.Equal(t, []float32{0, 255}, tensor.Values[float32](out[0]))
}

// TestQuantizeDequantizeRoundTrip quantizes and dequantizes in every mode
// and type: the values come back within one quantization step. (Not a
// TensorFlow vector: it checks that the two kernels agree on the range.)
func TestQuantizeDequantizeRoundTrip(t *testing.T) {
	x := f32(tensor.Shape{5}, -1, -0.25, 0, 0.5, 1)
	for _, dt := range kernel.QuantizedTypes() {
		for _, mode := range []string{"MIN_COMBINED", "MIN_FIRST", "SCALED"} {
			attrs := map[string]any{"T": dt, "mode": mode}
			q := kerneltest.Run(t, quantNode("QuantizeV2", attrs), x, f32(tensor.Shape{}, -1), f32(tensor.Shape{}, 1))
			back := kerneltest.Run(t, quantNode("Dequantize", attrs), q...)
			// One step of T, or for qint32, whose steps are finer than
			// float32, two float32 steps at 1.
			step := max(2/math.Ldexp(1, 8*dt.Size()-1), math.Ldexp(1, -22))
			if dt.Storage().IsUnsigned() && mode == "SCALED" {
				// SCALED quint maps negatives to 0.
				assert.NoError(t, tensor.Compare(back[0], f32(tensor.Shape{5}, 0, 0, 0, 0.5, 1), tensor.Tolerance{ATol: step}), "%v %s", dt, mode)
				continue
			}
			assert.NoError(t, tensor.Compare(back[0], x, tensor.Tolerance{ATol: step}), "%v %s", dt, mode)
		}
	}
}

func TestQuantizeRefusals(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		attrs map[string]any
		in    []*tensor.Tensor
		is    error
	}{
		{"T not quantized", "QuantizeV2", map[string]any{"T": tensor.Int8}, nil, kernel.ErrUnsupported},
		{"HALF_TO_EVEN outside SCALED", "QuantizeV2", map[string]any{"T": tensor.Qint8, "round_mode": "HALF_TO_EVEN"}, nil, kernel.ErrInvalidArgument},
		{"unknown mode", "Dequantize", map[string]any{"T": tensor.Qint8, "mode": "MIN_LAST"}, nil, kernel.ErrInvalidArgument},
		{"bfloat16 in SCALED", "Dequantize", map[string]any{"T": tensor.Qint8, "mode": "SCALED", "dtype": tensor.BFloat16}, nil, kernel.ErrInvalidArgument},
		{"max below min", "QuantizeV2", map[string]any{"T": tensor.Qint8},
			[]*tensor.Tensor{f32(tensor.Shape{1}, 0), f32(tensor.Shape{}, 1), f32(tensor.Shape{}, -1)}, kernel.ErrInvalidArgument},
		{"range per slice", "QuantizeV2", map[string]any{"T": tensor.Qint8, "axis": 0},
			[]*tensor.Tensor{f32(tensor.Shape{2}, 0, 1), f32(tensor.Shape{1}, -1), f32(tensor.Shape{1}, 1)}, kernel.ErrInvalidArgument},
		{"axis beyond rank", "Dequantize", map[string]any{"T": tensor.Qint8, "axis": 1},
			[]*tensor.Tensor{quantized[int8](tensor.Qint8, tensor.Shape{2}, 0, 1), f32(tensor.Shape{2}, -1, -1), f32(tensor.Shape{2}, 1, 1)}, kernel.ErrInvalidArgument},
		{"MIN_FIRST per axis", "Dequantize", map[string]any{"T": tensor.Qint8, "mode": "MIN_FIRST", "axis": 0},
			[]*tensor.Tensor{quantized[int8](tensor.Qint8, tensor.Shape{2}, 0, 1), f32(tensor.Shape{2}, -1, -1), f32(tensor.Shape{2}, 1, 1)}, kernel.ErrUnsupported},
		{"int8 is not qint8", "Dequantize", map[string]any{"T": tensor.Qint8},
			[]*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{1}, []int8{1}), f32(tensor.Shape{}, -1), f32(tensor.Shape{}, 1)}, kernel.ErrInvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			if in == nil {
				in = []*tensor.Tensor{f32(tensor.Shape{1}, 0), f32(tensor.Shape{}, -1), f32(tensor.Shape{}, 1)}
			}
			_, err := kerneltest.Call(quantNode(c.op, c.attrs), in...)
			assert.ErrorIs(t, err, c.is)
		})
	}
}

package quant_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// quantCase is a fake-quantization example whose scale is a power of two,
// so that every expected value is exact.
type quantCase struct {
	name     string
	min, max float32
	bits     int
	narrow   bool
	in, want []float32
}

var nan = float32(math.NaN())

var quantCases = []quantCase{
	{
		// scale 0.25, zero point 0: halves round up.
		name: "8 bit", min: 0, max: 63.75, bits: 8,
		in:   []float32{-0.1, 0, 0.1, 0.125, 0.126, 0.37, 63.5, 63.75, 64, nan},
		want: []float32{0, 0, 0, 0.25, 0.25, 0.25, 63.5, 63.75, 63.75, nan},
	},
	{
		// zero point 0.5 rounds away from zero to 1: the range is
		// nudged up to [−0.25, 63.5].
		name: "nudged up", min: -0.125, max: 63.625, bits: 8,
		in:   []float32{-0.3, -0.25, -0.2, -0.125, -0.1, 0, 63.5, 63.6},
		want: []float32{-0.25, -0.25, -0.25, 0, 0, 0, 63.5, 63.5},
	},
	{
		// zero point 0.4 rounds to 0: the range becomes [0, 63.75].
		name: "nudged down", min: -0.1, max: 63.65, bits: 8,
		in:   []float32{-0.1, 0, 63.65, 100},
		want: []float32{0, 0, 63.75, 63.75},
	},
	{
		// [1, 255]: scale 63.5/254, zero point 1.
		name: "narrow range", min: 0, max: 63.5, bits: 8, narrow: true,
		in:   []float32{-1, 0, 0.124, 0.126, 63.5, 64},
		want: []float32{0, 0, 0, 0.25, 63.5, 63.5},
	},
	{
		name: "4 bit", min: 0, max: 3.75, bits: 4,
		in:   []float32{0.1, 0.13, 1.6, 3.8},
		want: []float32{0, 0.25, 1.5, 3.75},
	},
	{
		// A zero point of 32768 needs more than 8 bits.
		name: "16 bit", min: -128, max: 127.99609375, bits: 16,
		in:   []float32{-200, -0.001, 0.5, 1.00390625, 127.999, 200},
		want: []float32{-128, 0, 0.5, 1.00390625, 127.99609375, 127.99609375},
	},
	{
		// min > 0: the zero point is clamped to 0 and the range becomes
		// [0, 3.75].
		name: "positive range", min: 1, max: 4.75, bits: 4,
		in:   []float32{0, 0.9, 2, 5},
		want: []float32{0, 1, 2, 3.75},
	},
}

func quantAttrs(bits int, narrow bool) map[string]any {
	return map[string]any{"num_bits": bits, "narrow_range": narrow}
}

func TestFakeQuantWithMinMaxArgs(t *testing.T) {
	for _, tc := range quantCases {
		t.Run(tc.name, func(t *testing.T) {
			attrs := quantAttrs(tc.bits, tc.narrow)
			attrs["min"], attrs["max"] = tc.min, tc.max
			out := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxArgs", nil, attrs), f32(tensor.Shape{len(tc.in)}, tc.in...))
			require.Len(t, out, 1)
			assertQuantized(t, tc.want, tensor.Values[float32](out[0]))
		})
	}
	t.Run("defaults", func(t *testing.T) {
		// [−6, 6] over 8 bits: scale 12/255, zero point 127.5 → 128.
		out := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxArgs", nil, nil), f32(tensor.Shape{2, 2}, -7, 0, 5.9, 7))
		assert.Equal(t, tensor.Shape{2, 2}, out[0].Shape())
		scale := float32(12) / 255
		got := tensor.Values[float32](out[0])
		assert.Equal(t, -128*scale, got[0])
		assert.Equal(t, float32(0), got[1])
		assert.Equal(t, 127*scale, got[3])
	})
	t.Run("empty and scalar", func(t *testing.T) {
		out := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxArgs", nil, nil), f32(tensor.Shape{0, 3}))
		assert.Equal(t, tensor.Shape{0, 3}, out[0].Shape())
		out = kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxArgs", nil, nil), tensor.Scalar(float32(0)))
		assert.Equal(t, tensor.Shape{}, out[0].Shape())
	})
}

func TestFakeQuantWithMinMaxVars(t *testing.T) {
	for _, tc := range quantCases {
		t.Run(tc.name, func(t *testing.T) {
			out := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxVars", nil, quantAttrs(tc.bits, tc.narrow)),
				f32(tensor.Shape{len(tc.in)}, tc.in...), tensor.Scalar(tc.min), tensor.Scalar(tc.max))
			assertQuantized(t, tc.want, tensor.Values[float32](out[0]))
		})
	}
	t.Run("zero range", func(t *testing.T) {
		out := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxVars", nil, nil),
			f32(tensor.Shape{3}, -1, 0, 2), tensor.Scalar(float32(0)), tensor.Scalar(float32(0)))
		assert.Equal(t, []float32{0, 0, 0}, tensor.Values[float32](out[0]))
	})
}

func TestFakeQuantWithMinMaxVarsPerChannel(t *testing.T) {
	// Channel c of every row uses quantCases[c]'s range.
	depth := 4
	var mins, maxs []float32
	for c := range depth {
		mins, maxs = append(mins, quantCases[c].min), append(maxs, quantCases[c].max)
	}
	in := []float32{
		-0.1, -0.3, -0.1, -1,
		0.126, -0.2, 63.65, 0.126,
		63.5, 63.6, 100, 64,
	}
	// Case 3's range is narrow only there, so every channel
	// here uses [0, 255]: channel 3 is then [0, 63.5] with scale 63.5/255. range of case 3 is narrow only there, so every channel
	// here uses [0, 255]: channel 3 is then [0, 63.5] with scale 63.5/255.
	scale3 := float32(63.5) / 255
	want3 := func(x float32) float32 {
		return float32(float32(math.Floor(float64(x/scale3+0.5)))*scale3) + 0
	}
	want := []float32{
		0, -0.25, 0, 0,
		0.25, -0.25, 63.75, want3(0.126),
		63.5, 63.5, 63.75, want3(255 * scale3),
	}
	for _, shape := range []tensor.Shape{{3, 4}, {3, 1, 1, 4}, {1, 3, 4}} {
		t.Run(shape.String(), func(t *testing.T) {
			out := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxVarsPerChannel", nil, quantAttrs(8, false)),
				f32(shape, in...), f32(tensor.Shape{depth}, mins...), f32(tensor.Shape{depth}, maxs...))
			assert.Equal(t, shape, out[0].Shape())
			assertQuantized(t, want, tensor.Values[float32](out[0]))
		})
	}
	t.Run("rank 1 and zero range", func(t *testing.T) {
		out := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxVarsPerChannel", nil, nil),
			f32(tensor.Shape{2}, 0.3, 5), f32(tensor.Shape{2}, 0, 0), f32(tensor.Shape{2}, 0, 63.75))
		assert.Equal(t, []float32{0, 5}, tensor.Values[float32](out[0]))
	})
	t.Run("matches the per-tensor op", func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 11))
		x := randT(r, 3, 50, 7)
		mins, maxs := make([]float32, 7), make([]float32, 7)
		for c := range mins {
			mins[c], maxs[c] = -2*r.Float32(), 2*r.Float32()+0.01
		}
		got := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxVarsPerChannel", nil, quantAttrs(5, true)),
			x, f32(tensor.Shape{7}, mins...), f32(tensor.Shape{7}, maxs...))
		xv, gv := tensor.Values[float32](x), tensor.Values[float32](got[0])
		for c := range mins {
			col := make([]float32, 50)
			for r := range col {
				col[r] = xv[r*7+c]
			}
			one := kerneltest.Run(t, graph.NewNode("q", "FakeQuantWithMinMaxVars", nil, quantAttrs(5, true)),
				f32(tensor.Shape{50}, col...), tensor.Scalar(mins[c]), tensor.Scalar(maxs[c]))
			for r, v := range tensor.Values[float32](one[0]) {
				require.Equal(t, v, gv[r*7+c], "row %d channel %d", r, c)
			}
		}
	})
}

// assertQuantized compares exactly, NaN matching NaN.
func assertQuantized(t *testing.T, want, got []float32) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		if math.IsNaN(float64(want[i])) {
			assert.True(t, math.IsNaN(float64(got[i])), "element %d: got %v, want NaN", i, got[i])
			continue
		}
		assert.Equal(t, want[i], got[i], "element %d", i)
	}
}

func TestFakeQuantErrors(t *testing.T) {
	x := f32(tensor.Shape{2, 3}, 1, 2, 3, 4, 5, 6)
	v3 := f32(tensor.Shape{3}, -1, -1, -1)
	tests := []struct {
		name    string
		op      string
		attrs   map[string]any
		in      []*tensor.Tensor
		invalid bool
	}{
		{"args min = max", "FakeQuantWithMinMaxArgs", map[string]any{"min": 1.0, "max": 1.0}, []*tensor.Tensor{x}, true},
		{"args min > max", "FakeQuantWithMinMaxArgs", map[string]any{"min": 2.0, "max": 1.0}, []*tensor.Tensor{x}, true},
		{"args 1 bit", "FakeQuantWithMinMaxArgs", map[string]any{"num_bits": 1}, []*tensor.Tensor{x}, true},
		{"args 17 bits", "FakeQuantWithMinMaxArgs", map[string]any{"num_bits": 17}, []*tensor.Tensor{x}, true},
		{"args float64", "FakeQuantWithMinMaxArgs", nil, []*tensor.Tensor{tensor.Scalar(1.0)}, false},
		{"args inputs", "FakeQuantWithMinMaxArgs", nil, []*tensor.Tensor{x, x}, false},
		{"vars bits", "FakeQuantWithMinMaxVars", map[string]any{"num_bits": 0}, []*tensor.Tensor{x, tensor.Scalar(float32(-1)), tensor.Scalar(float32(1))}, true},
		{"vars min rank", "FakeQuantWithMinMaxVars", nil, []*tensor.Tensor{x, f32(tensor.Shape{1}, -1), tensor.Scalar(float32(1))}, true},
		{"vars max rank", "FakeQuantWithMinMaxVars", nil, []*tensor.Tensor{x, tensor.Scalar(float32(-1)), f32(tensor.Shape{1}, 1)}, true},
		{"vars max dtype", "FakeQuantWithMinMaxVars", nil, []*tensor.Tensor{x, tensor.Scalar(float32(-1)), tensor.Scalar(1.0)}, false},
		{"per channel min size", "FakeQuantWithMinMaxVarsPerChannel", nil, []*tensor.Tensor{x, f32(tensor.Shape{2}, -1, -1), v3}, true},
		{"per channel max size", "FakeQuantWithMinMaxVarsPerChannel", nil, []*tensor.Tensor{x, v3, f32(tensor.Shape{4}, 1, 1, 1, 1)}, true},
		{"per channel min rank", "FakeQuantWithMinMaxVarsPerChannel", nil, []*tensor.Tensor{x, tensor.Scalar(float32(-1)), v3}, true},
		{"per channel scalar input", "FakeQuantWithMinMaxVarsPerChannel", nil, []*tensor.Tensor{tensor.Scalar(float32(1)), v3, v3}, true},
		{"per channel bits", "FakeQuantWithMinMaxVarsPerChannel", map[string]any{"num_bits": 20}, []*tensor.Tensor{x, v3, v3}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("q", tc.op, nil, tc.attrs), tc.in...)
			require.Error(t, err)
			if tc.invalid {
				assert.True(t, errors.Is(err, kernel.ErrInvalidArgument), "%v", err)
			}
		})
	}
}

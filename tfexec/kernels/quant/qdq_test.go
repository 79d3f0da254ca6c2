package quant

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestQuantizeAndDequantize uses the vectors of TensorFlow's
// tensorflow/core/kernels/quantize_and_dequantize_op_test.cc (at commit
// 1f35abe): Convert_scalar_tensor, Convert_4D_tensor_with_int8 (and its
// round_half_up and narrow_range variants, axis -1),
// Convert_1D_tensor_with_int8_V3, Convert_1D_tensor_with_int4_round_half_up,
// Convert_1D_tensor_with_int4_V3, Convert_2D_tensor_with_int8_range_given
// (and _round_half_up), Convert_4D_tensor_with_uint8_range_given (and
// _round_half_up), Convert_tensor_with_all_0 and Invalid_range_given,
// each for the op versions the original names.
func TestQuantizeAndDequantize(t *testing.T) {
	f32 := func(s tensor.Shape, v ...float32) *tensor.Tensor { return tensor.MustFromSlice(s, v) }
	seven := f32(tensor.Shape{7}, -1, -0.5, 0, 0.3, 0.8, 0.555, 0.50390625)
	six := f32(tensor.Shape{6}, -1, -0.5, 0, 0.3, 0.8, 0.555)
	v2, v3 := []string{"QuantizeAndDequantizeV2", "QuantizeAndDequantizeV4"}, []string{"QuantizeAndDequantizeV3"}
	all := append(append([]string{}, v2...), v3...)
	for _, tc := range []struct {
		name                          string
		ops                           []string
		signed, given, halfUp, narrow bool
		bits                          int
		x                             *tensor.Tensor
		lo, hi                        float32
		want                          []float32
		wantErr                       bool
	}{
		{name: "scalar", ops: all, signed: true, bits: 8, x: f32(tensor.Shape{1}, -3.5), want: []float32{-3.5}},
		{name: "int8", ops: v2, signed: true, bits: 8, x: seven, want: []float32{-1, -0.5, 0, 38.0 / 128, 102.0 / 128, 71.0 / 128, 0.5}},
		{name: "int8 half up", ops: v2, signed: true, halfUp: true, bits: 8, x: seven, want: []float32{-1, -0.5, 0, 38.0 / 128, 102.0 / 128, 71.0 / 128, 65.0 / 128}},
		{name: "int8 half up narrow", ops: v2, signed: true, halfUp: true, narrow: true, bits: 8, x: seven,
			want: []float32{-1, -63.0 / 127, 0, 38.0 / 127, 102.0 / 127, 70.0 / 127, 64.0 / 127}},
		{name: "int8 narrow", ops: v3, signed: true, narrow: true, bits: 8, x: seven,
			want: []float32{-1, -64.0 / 127, 0, 38.0 / 127, 102.0 / 127, 70.0 / 127, 64.0 / 127}},
		{name: "int8 six", ops: v3, signed: true, bits: 8, x: six, want: []float32{-1, -0.5, 0, 38.0 / 128, 102.0 / 128, 71.0 / 128}},
		{name: "int4 half up", ops: v2, signed: true, halfUp: true, bits: 4, x: f32(tensor.Shape{6}, -1, -0.5, 0, 0.3125, 0.8, 0.555),
			want: []float32{-1, -0.5, 0, 0.375, 0.75, 0.5}},
		{name: "int4", ops: v3, signed: true, bits: 4, x: six, want: []float32{-1, -0.5, 0, 0.25, 0.75, 0.5}},
		{name: "int8 range given", ops: all, signed: true, given: true, bits: 8, x: f32(tensor.Shape{2, 4}, -0.8, -0.5, 0, 0.3, 0.8, 0.555, -2, 33), lo: -1, hi: 1,
			want: []float32{-102.0 / 127, -64.0 / 127, 0, 38.0 / 127, 102.0 / 127, 70.0 / 127, -128.0 / 127, 1}},
		{name: "int8 range given half up", ops: v2, signed: true, given: true, halfUp: true, bits: 8, x: f32(tensor.Shape{2, 4}, -0.8, -0.5, 0, 0.3, 0.8, 0.555, -2, 33), lo: -1, hi: 1,
			want: []float32{-102.0 / 127, -63.0 / 127, 0, 38.0 / 127, 102.0 / 127, 70.0 / 127, -128.0 / 127, 1}},
		{name: "uint8 range given", ops: all, given: true, bits: 8, x: f32(tensor.Shape{2, 2, 1, 1}, -0.5, 0, 0.3, 0.8), lo: 0, hi: 1,
			want: []float32{0, 0, 76.0 / 255, 204.0 / 255}},
		{name: "uint8 range given half up", ops: v2, given: true, halfUp: true, bits: 8, x: f32(tensor.Shape{2, 2, 1, 1}, -0.5, 0, 0.3, 0.8), lo: 0, hi: 1,
			want: []float32{0, 0, 77.0 / 255, 204.0 / 255}},
		{name: "all zero", ops: all, bits: 8, x: f32(tensor.Shape{2, 2, 1, 1}, 0, 0, 0, 0), want: []float32{0, 0, 0, 0}},
		{name: "invalid range", ops: all, signed: true, given: true, bits: 8, x: f32(tensor.Shape{2, 2, 1, 1}, -0.5, 0, 0.3, 0.8), lo: 1, hi: 0, wantErr: true},
	} {
		for _, op := range tc.ops {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				attrs := map[string]any{"T": tensor.Float32, "signed_input": tc.signed, "range_given": tc.given, "narrow_range": tc.narrow}
				in := []*tensor.Tensor{tc.x, tensor.Scalar(tc.lo), tensor.Scalar(tc.hi)}
				if op == "QuantizeAndDequantizeV3" {
					in = append(in, tensor.Scalar(int32(tc.bits)))
				} else {
					attrs["num_bits"] = tc.bits
					if tc.halfUp {
						attrs["round_mode"] = "HALF_UP"
					}
				}
				out, err := kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
				if tc.wantErr {
					assert.Error(t, err)
					return
				}
				require.NoError(t, err)
				assert.NoError(t, tensor.Compare(out[0], f32(tc.x.Shape(), tc.want...), tensor.Tolerance{ATol: 1e-5}))
			})
		}
	}
}

// TestQuantizeAndDequantizePerAxis: with an axis, each slice along it is
// quantized with its own range, as the whole tensor would be alone.
func TestQuantizeAndDequantizePerAxis(t *testing.T) {
	x := tensor.MustFromSlice(tensor.Shape{2, 3}, []float32{-1, -0.5, 0.3, 0.8, 0.555, -2})
	for _, given := range []bool{false, true} {
		attrs := map[string]any{"T": tensor.Float32, "axis": 0, "range_given": given, "round_mode": "HALF_UP", "narrow_range": true}
		lo := tensor.MustFromSlice(tensor.Shape{2}, []float32{-1, -2})
		hi := tensor.MustFromSlice(tensor.Shape{2}, []float32{0.5, 1})
		out, err := kerneltest.Call(graph.NewNode("n", "QuantizeAndDequantizeV4", nil, attrs), x, lo, hi)
		require.NoError(t, err)
		delete(attrs, "axis")
		for row := 0; row < 2; row++ {
			part := tensor.MustFromSlice(tensor.Shape{3}, tensor.Values[float32](x)[row*3:row*3+3])
			one, err := kerneltest.Call(graph.NewNode("n", "QuantizeAndDequantizeV4", nil, attrs), part,
				tensor.Scalar(tensor.Values[float32](lo)[row]), tensor.Scalar(tensor.Values[float32](hi)[row]))
			require.NoError(t, err)
			assert.Equal(t, tensor.Values[float32](one[0]), tensor.Values[float32](out[0])[row*3:row*3+3], "row %d, range given %v", row, given)
		}
	}
}

// TestQuantizeAndDequantizeAxisVectors follows the axis cases of
// TensorFlow's Convert_4D_tensor_with_int8 (and _round_half_up): each
// slice along the axis holds the seven values times (slice index + 1),
// and quantizes to the axis -1 result times the same factor.
func TestQuantizeAndDequantizeAxisVectors(t *testing.T) {
	in := []float32{-1, -0.5, 0, 0.3, 0.8, 0.555, 0.50390625}
	for _, tc := range []struct {
		mode string
		want []float32
	}{
		{"HALF_TO_EVEN", []float32{-1, -0.5, 0, 38.0 / 128, 102.0 / 128, 71.0 / 128, 0.5}},
		{"HALF_UP", []float32{-1, -0.5, 0, 38.0 / 128, 102.0 / 128, 71.0 / 128, 65.0 / 128}},
	} {
		for _, axis := range []int{0, 1} {
			// Three slices of seven along the axis.
			shape := tensor.Shape{3, 7}
			if axis == 1 {
				shape = tensor.Shape{7, 3}
			}
			x, want := make([]float32, 21), make([]float32, 21)
			for s := 0; s < 3; s++ {
				for k := 0; k < 7; k++ {
					i := s*7 + k
					if axis == 1 {
						i = k*3 + s
					}
					x[i], want[i] = in[k]*float32(s+1), tc.want[k]*float32(s+1)
				}
			}
			zeros := tensor.MustFromSlice(tensor.Shape{3}, []float32{0, 0, 0})
			out, err := kerneltest.Call(graph.NewNode("n", "QuantizeAndDequantizeV2", nil, map[string]any{"T": tensor.Float32, "axis": axis, "round_mode": tc.mode}),
				tensor.MustFromSlice(shape, x), zeros, zeros)
			require.NoError(t, err)
			assert.NoError(t, tensor.Compare(out[0], tensor.MustFromSlice(shape, want), tensor.Tolerance{ATol: 1e-5}), "%s axis %d", tc.mode, axis)
		}
	}
}

package rnn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
	// The cells multiply through the registry's MatMul kernels.
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/conv"
)

// f32 builds a float32 tensor.
func f32(shape tensor.Shape, v ...float32) *tensor.Tensor {
	if v == nil {
		v = []float32{}
	}
	return tensor.MustFromSlice(shape, v)
}

// randT returns a float32 tensor of uniform values in [−scale, scale).
func randT(r *rand.Rand, scale float32, shape ...int) *tensor.Tensor {
	return kerneltest.Uniform(r, scale, shape...)
}

// vals returns a tensor's values as float64.
func vals(t testing.TB, x *tensor.Tensor) []float64 {
	t.Helper()
	v, err := tensor.Float64s(x)
	require.NoError(t, err)
	return v
}

// toHalf converts a float32 tensor to half.
func toHalf(x *tensor.Tensor) *tensor.Tensor {
	v := tensor.Values[float32](x)
	h := make([]tensor.F16, len(v))
	for i, f := range v {
		h[i] = tensor.NewF16(f)
	}
	return tensor.MustFromSlice(x.Shape().Clone(), h)
}

// fromHalf converts a half tensor's values to float32.
func fromHalf(x *tensor.Tensor) *tensor.Tensor {
	h := tensor.Values[tensor.F16](x)
	v := make([]float32, len(h))
	for i, f := range h {
		v[i] = f.Float32()
	}
	return tensor.MustFromSlice(x.Shape().Clone(), v)
}

// requireClose compares values with a mixed tolerance.
func requireClose(t testing.TB, want, got []float64, rtol, atol float64, what string) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for i := range want {
		d := math.Abs(want[i] - got[i])
		if d > atol+rtol*math.Abs(want[i]) || math.IsNaN(got[i]) != math.IsNaN(want[i]) {
			t.Fatalf("%s[%d]: got %v, want %v", what, i, got[i], want[i])
		}
	}
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// lstmRef is one LSTM step in float64, written from TensorFlow's
// documentation of LSTMBlockCell. Matrices are row-major; ifco selects
// BlockLSTMV2's gate order. It returns i, cs, f, o, ci, co, h.
func lstmRef(x, csPrev, hPrev, w, wci, wcf, wco, b []float64, batch, in, cell int,
	forgetBias, clip float64, peephole, ifco bool) [7][]float64 {
	var out [7][]float64
	for k := range out {
		out[k] = make([]float64, batch*cell)
	}
	cOff, fOff := cell, 2*cell
	if ifco {
		cOff, fOff = 2*cell, cell
	}
	for r := range batch {
		gates := make([]float64, 4*cell)
		for col := range 4 * cell {
			s := b[col]
			for k := range in {
				s += x[r*in+k] * w[k*4*cell+col]
			}
			for k := range cell {
				s += hPrev[r*cell+k] * w[(in+k)*4*cell+col]
			}
			gates[col] = s
		}
		for j := range cell {
			cp := csPrev[r*cell+j]
			gi, gf, gO := gates[j], gates[fOff+j]+forgetBias, gates[3*cell+j]
			if peephole {
				gi += cp * wci[j]
				gf += cp * wcf[j]
			}
			i, ci, f := sigmoid(gi), math.Tanh(gates[cOff+j]), sigmoid(gf)
			cs := i*ci + f*cp
			if clip > 0 {
				cs = math.Max(-clip, math.Min(clip, cs))
			}
			co := math.Tanh(cs)
			if peephole {
				gO += cs * wco[j]
			}
			o := sigmoid(gO)
			k := r*cell + j
			out[0][k], out[1][k], out[2][k], out[3][k] = i, cs, f, o
			out[4][k], out[5][k], out[6][k] = ci, co, o*co
		}
	}
	return out
}

// gruRef is one GRU step in float64, from TensorFlow's documentation of
// GRUBlockCell. It returns r, u, c, h.
func gruRef(x, hPrev, wRu, wC, bRu, bC []float64, batch, in, cell int) [4][]float64 {
	var out [4][]float64
	for k := range out {
		out[k] = make([]float64, batch*cell)
	}
	k := in + cell
	for r := range batch {
		xh := append(append([]float64{}, x[r*in:(r+1)*in]...), hPrev[r*cell:(r+1)*cell]...)
		for j := range cell {
			sr, su := bRu[j], bRu[cell+j]
			for q := range k {
				sr += xh[q] * wRu[q*2*cell+j]
				su += xh[q] * wRu[q*2*cell+cell+j]
			}
			out[0][r*cell+j], out[1][r*cell+j] = sigmoid(sr), sigmoid(su)
		}
		for j := range cell {
			xh[in+j] = hPrev[r*cell+j] * out[0][r*cell+j]
		}
		for j := range cell {
			s := bC[j]
			for q := range k {
				s += xh[q] * wC[q*cell+j]
			}
			c := math.Tanh(s)
			u := out[1][r*cell+j]
			out[2][r*cell+j] = c
			out[3][r*cell+j] = u*hPrev[r*cell+j] + (1-u)*c
		}
	}
	return out
}

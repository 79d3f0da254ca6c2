package reduce

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tt builds a tensor of shape s from values of any element type.
func tt[T tensor.Element](s tensor.Shape, v ...T) *tensor.Tensor { return kerneltest.Tensor(s, v...) }

// sc builds a scalar.
func sc[T tensor.Element](v T) *tensor.Tensor { return tensor.Scalar(v) }

// vec builds a 1-D tensor.
func vec[T tensor.Element](v ...T) *tensor.Tensor { return kerneltest.Vector(v...) }

// f16s and bf16s build half and bfloat16 tensors from float32 values.
func f16s(s tensor.Shape, v ...float32) *tensor.Tensor { return kerneltest.Half(s, v...) }

func bf16s(s tensor.Shape, v ...float32) *tensor.Tensor { return kerneltest.BFloat16(s, v...) }

// runOp runs one node of op with attrs on inputs.
func runOp(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)
}

// callOp is runOp returning the error.
func callOp(op string, attrs map[string]any, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	return kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
}

// assertTensor checks dtype, shape and values exactly (NaN equals NaN).
func assertTensor(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.DType(), got.DType(), "dtype")
	assert.Equal(t, want.Shape(), got.Shape(), "shape")
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}))
}

// assertClose checks dtype and shape exactly and values within rtol.
func assertClose(t *testing.T, want, got *tensor.Tensor, rtol float64) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, want.DType(), got.DType(), "dtype")
	assert.Equal(t, want.Shape(), got.Shape(), "shape")
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{RTol: rtol, ATol: rtol}))
}

var (
	nan  = float32(math.NaN())
	inf  = float32(math.Inf(1))
	ninf = float32(math.Inf(-1))
)

// lcg is a tiny deterministic generator for test data.
type lcg uint64

func (g *lcg) next() uint64 {
	*g = *g*6364136223846793005 + 1442695040888963407
	return uint64(*g >> 33)
}

// ints returns n values in [-r, r].
func (g *lcg) ints(n, r int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(int(g.next()%uint64(2*r+1)) - r)
	}
	return out
}

// floats returns n values in [-1, 1).
func (g *lcg) floats(n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(g.next()%(1<<20))/float32(1<<19) - 1
	}
	return out
}

package array

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// tt builds a tensor of shape from values.
func tt[T tensor.Element](shape tensor.Shape, vals ...T) *tensor.Tensor {
	return kerneltest.Tensor(shape, vals...)
}

// vec builds a 1-D tensor.
func vec[T tensor.Element](vals ...T) *tensor.Tensor { return kerneltest.Vector(vals...) }

// seq builds a float32 tensor holding 0, 1, 2, ...
func seq(shape ...int) *tensor.Tensor {
	s := tensor.Shape(shape)
	v := make([]float32, s.NumElements())
	for i := range v {
		v[i] = float32(i)
	}
	return tt(s, v...)
}

// seqAs builds a tensor of dtype dt holding 0, 1, 2, ... (strings "0",
// "1", ..., bools alternating).
func seqAs(dt tensor.DType, shape ...int) *tensor.Tensor {
	s := tensor.Shape(shape)
	n := s.NumElements()
	switch dt {
	case tensor.String:
		v := make([]string, n)
		for i := range v {
			v[i] = string(rune('a'+i%26)) + string(rune('0'+i/26%10))
		}
		return tt(s, v...)
	case tensor.Bool:
		v := make([]bool, n)
		for i := range v {
			v[i] = i%3 == 1
		}
		return tt(s, v...)
	case tensor.Complex64:
		v := make([]complex64, n)
		for i := range v {
			v[i] = complex(float32(i), float32(-i))
		}
		return tt(s, v...)
	case tensor.Complex128:
		v := make([]complex128, n)
		for i := range v {
			v[i] = complex(float64(i), 0.5)
		}
		return tt(s, v...)
	}
	f := make([]float64, n)
	for i := range f {
		f[i] = float64(i % 100)
	}
	t, err := tensor.FromFloat64s(dt, s, f)
	if err != nil {
		panic(err)
	}
	return t
}

// movableDTypes are the dtypes every data-movement op must handle.
var movableDTypes = []tensor.DType{
	tensor.Float32, tensor.Float64, tensor.Float16, tensor.BFloat16,
	tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
	tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64,
	tensor.Bool, tensor.String, tensor.Complex64, tensor.Complex128,
}

// call runs op once on inputs.
func call(op string, attrs map[string]any, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	return kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
}

// run1 runs op and returns its only output, failing the test on error.
func run1(t *testing.T, op string, attrs map[string]any, in ...*tensor.Tensor) *tensor.Tensor {
	t.Helper()
	out := kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)
	require.Len(t, out, 1)
	return out[0]
}

// assertTensor checks dtype, shape and exact values.
func assertTensor(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	require.NotNil(t, got)
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}), "got %v, want %v", got, want)
}

// assertInvalid checks that err is an InvalidArgument error mentioning msg.
func assertInvalid(t *testing.T, err error, msg string) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, msg)
}

// snapshot deep-copies inputs so that tests can check kernels left them
// alone.
func snapshot(in []*tensor.Tensor) []*tensor.Tensor {
	out := make([]*tensor.Tensor, len(in))
	for i, t := range in {
		out[i] = t.Clone()
	}
	return out
}

// naiveGather is the reference for the strided engine: element i of the
// result (of shape shape) is x at begin + idx·strides.
func naiveGather(x *tensor.Tensor, begin, strides []int, shape tensor.Shape) *tensor.Tensor {
	out := tensor.MustNew(x.DType(), shape)
	inStr := x.Shape().Strides()
	n := shape.NumElements()
	idx := make([]int, len(shape))
	xs, os := carrierAny(x), carrierAny(out)
	for o := 0; o < n; o++ {
		rem := o
		for d := len(shape) - 1; d >= 0; d-- {
			idx[d] = rem % shape[d]
			rem /= shape[d]
		}
		s := 0
		for d := range shape {
			s += (begin[d] + idx[d]*strides[d]) * inStr[d]
		}
		os.set(o, xs.get(s))
	}
	return out
}

// anySlice is a slow element accessor used by reference implementations.
type anySlice struct {
	get func(int) any
	set func(int, any)
}

func carrierAny(t *tensor.Tensor) anySlice {
	switch kindOf(t.DType()) {
	case kind8:
		return accessor(view[uint8](t))
	case kind16:
		return accessor(view[uint16](t))
	case kind32:
		return accessor(view[uint32](t))
	case kind64:
		return accessor(view[uint64](t))
	case kind128:
		return accessor(view[c128](t))
	case kindString:
		return accessor(view[string](t))
	}
	panic("unexpected kind")
}

func accessor[T any](v []T) anySlice {
	return anySlice{func(i int) any { return v[i] }, func(i int, x any) { v[i] = x.(T) }}
}

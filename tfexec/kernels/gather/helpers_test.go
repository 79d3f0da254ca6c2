package gather

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// call runs op with attrs on inputs.
func call(op string, attrs map[string]any, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	return kerneltest.Call(graph.NewNode("n", op, nil, attrs), in...)
}

// run runs op and fails the test on error.
func run(t testing.TB, op string, attrs map[string]any, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, graph.NewNode("n", op, nil, attrs), in...)
}

func f32(shape tensor.Shape, v ...float32) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }
func f64(shape tensor.Shape, v ...float64) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }
func i32(shape tensor.Shape, v ...int32) *tensor.Tensor   { return tensor.MustFromSlice(shape, v) }
func i64(shape tensor.Shape, v ...int64) *tensor.Tensor   { return tensor.MustFromSlice(shape, v) }
func str(shape tensor.Shape, v ...string) *tensor.Tensor  { return tensor.MustFromSlice(shape, v) }
func bools(shape tensor.Shape, v ...bool) *tensor.Tensor  { return tensor.MustFromSlice(shape, v) }

func u8(shape tensor.Shape, v ...uint8) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }

// f16 builds a half tensor from float32 values.
func f16(shape tensor.Shape, v ...float32) *tensor.Tensor { return kerneltest.Half(shape, v...) }

// bf16 builds a bfloat16 tensor from float32 values.
func bf16(shape tensor.Shape, v ...float32) *tensor.Tensor { return kerneltest.BFloat16(shape, v...) }

func s(dims ...int) tensor.Shape { return tensor.Shape(dims) }

// tt builds a tensor of shape s from values of any element type.
func tt[T tensor.Element](s tensor.Shape, v ...T) *tensor.Tensor { return kerneltest.Tensor(s, v...) }

// sc builds a scalar.
func sc[T tensor.Element](v T) *tensor.Tensor { return tensor.Scalar(v) }

// vec builds a 1-D tensor.
func vec[T tensor.Element](v ...T) *tensor.Tensor { return kerneltest.Vector(v...) }

// assertTensor checks got against want exactly (NaN matches NaN).
func assertTensor(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}))
}

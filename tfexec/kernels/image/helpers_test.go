package image

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// op builds a node of op with attrs.
func op(name string, attrs map[string]any) *tfpb.NodeDef { return graph.NewNode("n", name, nil, attrs) }

// call runs op with attrs on inputs.
func call(name string, attrs map[string]any, in ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	return kerneltest.Call(op(name, attrs), in...)
}

// run runs op and fails the test on error.
func run(t testing.TB, name string, attrs map[string]any, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	return kerneltest.Run(t, op(name, attrs), in...)
}

func f32(shape tensor.Shape, v ...float32) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }
func f64(shape tensor.Shape, v ...float64) *tensor.Tensor { return tensor.MustFromSlice(shape, v) }
func i32(shape tensor.Shape, v ...int32) *tensor.Tensor   { return tensor.MustFromSlice(shape, v) }
func i64(shape tensor.Shape, v ...int64) *tensor.Tensor   { return tensor.MustFromSlice(shape, v) }
func u8(shape tensor.Shape, v ...uint8) *tensor.Tensor    { return tensor.MustFromSlice(shape, v) }
func str(shape tensor.Shape, v ...string) *tensor.Tensor  { return tensor.MustFromSlice(shape, v) }

// f16 builds a half tensor from float32 values.
func f16(shape tensor.Shape, v ...float32) *tensor.Tensor { return kerneltest.Half(shape, v...) }

func s(dims ...int) tensor.Shape { return tensor.Shape(dims) }

// assertTensor checks got against want exactly (NaN matches NaN).
func assertTensor(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}))
}

// assertClose checks float results to within float32 rounding noise.
func assertClose(t *testing.T, want, got *tensor.Tensor) {
	t.Helper()
	assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{RTol: 1e-6, ATol: 1e-6}))
}

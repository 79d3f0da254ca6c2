package image

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
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
func f16(shape tensor.Shape, v ...float32) *tensor.Tensor {
	h := make([]tensor.F16, len(v))
	for i, x := range v {
		h[i] = tensor.NewF16(x)
	}
	return tensor.MustFromSlice(shape, h)
}

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

// errCase is an input set a kernel must reject with kernel.ErrInvalidArgument.
type errCase struct {
	name  string
	attrs map[string]any
	in    []*tensor.Tensor
}

func runErrCases(t *testing.T, name string, cases []errCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call(name, tc.attrs, tc.in...)
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
		})
	}
}

package reduce

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestBincountAgainstTFJS holds Bincount and DenseBincount to
// TensorFlow.js's tf.bincount and tf.denseBincount
// (testdata/tfjs_bincount.js wrote the file).
func TestBincountAgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_bincount", tensor.Tolerance{RTol: 1e-6, ATol: 1e-6}, 60)
}

func TestBincountErrors(t *testing.T) {
	none := tensor.MustFromSlice(tensor.Shape{0}, []float32{})
	for _, tc := range []struct {
		name string
		op   string
		in   []*tensor.Tensor
	}{
		{"negative value", "Bincount", []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2}, []int32{1, -1}), tensor.Scalar(int32(3)), none}},
		{"negative size", "Bincount", []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2}, []int32{1, 1}), tensor.Scalar(int32(-1)), none}},
		{"weights shape", "Bincount", []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2}, []int32{1, 1}), tensor.Scalar(int32(3)), tensor.MustFromSlice(tensor.Shape{3}, []float32{1, 2, 3})}},
		{"rank 3", "DenseBincount", []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{1, 1, 2}, []int32{1, 1}), tensor.Scalar(int32(3)), none}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("n", tc.op, nil, map[string]any{"T": tensor.Float32, "Tidx": tensor.Int32}), tc.in...)
			assert.Error(t, err)
		})
	}
}

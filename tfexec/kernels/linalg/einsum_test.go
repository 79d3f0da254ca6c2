package linalg

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestEinsumAgainstTFJS holds Einsum to TensorFlow.js's outputs
// (testdata/tfjs_einsum.js wrote the file).
func TestEinsumAgainstTFJS(t *testing.T) {
	kerneltest.CheckTFJSReferences(t, "tfjs_einsum", tensor.Tolerance{RTol: 1e-5, ATol: 1e-5}, 35)
}

func TestEinsumErrors(t *testing.T) {
	m := kerneltest.Values(tensor.Float32, tensor.Shape{2, 3}, 1, 2, 3, 4, 5, 6)
	for _, tc := range []struct {
		name, eq string
		in       []*tensor.Tensor
	}{
		{"no arrow", "ij,jk", []*tensor.Tensor{m, m}},
		{"two arrows", "ij->ji->ij", []*tensor.Tensor{m}},
		{"three operands", "ij,jk,kl->il", []*tensor.Tensor{m, m, m}},
		{"bad character", "i1->i", []*tensor.Tensor{m}},
		{"two ellipses", "...i...->i", []*tensor.Tensor{m}},
		{"repeated output label", "ij->ii", []*tensor.Tensor{m}},
		{"unknown output label", "ij->k", []*tensor.Tensor{m}},
		{"rank mismatch", "ijk->i", []*tensor.Tensor{m}},
		{"size mismatch", "ij,jk->ik", []*tensor.Tensor{m, m}},
		{"diagonal of a non-square", "ii->i", []*tensor.Tensor{m}},
		{"input count", "ij,jk->ik", []*tensor.Tensor{m}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kerneltest.Call(graph.NewNode("n", "Einsum", nil, map[string]any{"T": tensor.Float32, "N": len(tc.in), "equation": tc.eq}), tc.in...)
			assert.ErrorIs(t, err, ErrEinsumEquation)
		})
	}
}

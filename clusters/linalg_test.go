package clusters

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestEinsumTranslator(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	var cases []opCase
	for _, e := range []struct {
		eq     string
		shapes []tensor.Shape
	}{
		{"ij,jk->ik", []tensor.Shape{{3, 4}, {4, 5}}},
		{"bhqd,bhkd->bhqk", []tensor.Shape{{1, 2, 3, 4}, {1, 2, 5, 4}}},
		{"i,j->ij", []tensor.Shape{{3}, {4}}},
		{"i,i->", []tensor.Shape{{6}, {6}}},
		{"ij->ji", []tensor.Shape{{3, 4}}},
		{"ij->", []tensor.Shape{{3, 4}}},
		{"ij,jk->k", []tensor.Shape{{3, 4}, {4, 2}}},
		{"aB,Bc->ac", []tensor.Shape{{2, 3}, {3, 2}}},
		{"...ij,...jk->...ik", []tensor.Shape{{2, 3, 4, 5}, {3, 5, 2}}},
		{"...i,...i->...", []tensor.Shape{{4, 1, 3}, {5, 3}}},
		{"ii->i", []tensor.Shape{{4, 4}}},
		{"bii->bi", []tensor.Shape{{2, 3, 3}}},
	} {
		for _, dt := range table["Einsum"].DTypes {
			in := make([]*tensor.Tensor, len(e.shapes))
			for i, s := range e.shapes {
				in[i] = randOf(rng, dt, s, -2, 2, -5, 5)
			}
			cases = append(cases, opCase{name: fmt.Sprintf("%s_%v", e.eq, dt),
				node: graph.NewNode("n", "Einsum", nil, map[string]any{"T": dt, "N": len(in), "equation": e.eq}), inputs: in})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("rejected", func(t *testing.T) {
		for _, eq := range []string{"...i->i", "ij,jk", "ij,jk,kl->il"} {
			assertUnsupported(t, graph.NewNode("n", "Einsum", nil, map[string]any{"T": tensor.Float32, "N": 2, "equation": eq}))
		}
		assertUnsupported(t, graph.NewNode("n", "Einsum", nil, map[string]any{"T": tensor.Float16, "N": 1, "equation": "ij->ji"}))
	})
}

func TestMatrixBandPartTranslator(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	var cases []opCase
	for _, shape := range []tensor.Shape{{4, 4}, {2, 3, 5}, {2, 5, 3}} {
		for _, b := range [][2]int64{{0, 0}, {-1, 0}, {0, -1}, {1, 2}, {-1, -1}, {2, 0}} {
			for _, dt := range table["MatrixBandPart"].DTypes {
				cases = append(cases, opCase{name: fmt.Sprintf("%v_%d_%d_%v", shape, b[0], b[1], dt),
					node:   graph.NewNode("n", "MatrixBandPart", nil, map[string]any{"T": dt, "Tindex": tensor.Int64}),
					inputs: []*tensor.Tensor{anyTensor(rng, dt, shape), tensor.Scalar(b[0]), tensor.Scalar(b[1])}, static: []bool{false, true, true}})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

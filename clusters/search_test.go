package clusters

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestSearchTranslators checks Bucketize, LowerBound and UpperBound on
// values that hit the boundaries and sorted elements exactly.
func TestSearchTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	ints := func(dt tensor.DType, shape tensor.Shape, lo, hi int, sorted bool) *tensor.Tensor {
		v := make([]float64, shape.NumElements())
		for i := range v {
			v[i] = float64(lo + rng.IntN(hi-lo))
		}
		if sorted {
			row := shape[len(shape)-1]
			for r := 0; r < len(v); r += row {
				slices.Sort(v[r : r+row])
			}
		}
		t, err := tensor.FromFloat64s(dt, shape, v)
		if err != nil {
			panic(err)
		}
		return t
	}
	var cases []opCase
	for _, dt := range table["Bucketize"].DTypes {
		for _, b := range [][]float32{{0, 3, 8, 11}, {-2.5, 0, 0, 4}, {1}} {
			cases = append(cases, opCase{name: fmt.Sprintf("Bucketize_%v_%v", dt, b),
				node:   graph.NewNode("n", "Bucketize", nil, map[string]any{"T": dt, "boundaries": b}),
				inputs: []*tensor.Tensor{ints(dt, tensor.Shape{3, 7}, -6, 13, false)}})
		}
	}
	for _, op := range []string{"LowerBound", "UpperBound"} {
		for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64, tensor.Uint8} {
			for _, out := range []tensor.DType{tensor.Int32, tensor.Int64} {
				cases = append(cases, opCase{name: fmt.Sprintf("%s_%v_%v", op, dt, out),
					node:   graph.NewNode("n", op, nil, map[string]any{"T": dt, "out_type": out}),
					inputs: []*tensor.Tensor{ints(dt, tensor.Shape{3, 6}, 0, 8, true), ints(dt, tensor.Shape{3, 5}, 0, 9, false)}})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("rejected", func(t *testing.T) {
		assertUnsupported(t, graph.NewNode("n", "Bucketize", nil, map[string]any{"T": tensor.Float32, "boundaries": []float32{}}))
		assertUnsupported(t, graph.NewNode("n", "Bucketize", nil, map[string]any{"T": tensor.Float32, "boundaries": []float32{2, 1}}))
	})
}

package clusters

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestMatMulTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			a := tensor.Shape{3, 4}
			if ta {
				a = tensor.Shape{4, 3}
			}
			b := tensor.Shape{4, 5}
			if tb {
				b = tensor.Shape{5, 4}
			}
			checkOp(t, opCase{name: fmt.Sprint("matmul", ta, tb), node: graph.NewNode("n", "MatMul", nil, map[string]any{"T": tensor.Float32, "transpose_a": ta, "transpose_b": tb}),
				inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, a, -1, 1), randTensor(rng, tensor.Float32, b, -1, 1)}})
		}
	}
	checkOp(t, opCase{name: "batchmatmul", node: graph.NewNode("n", "BatchMatMulV2", nil, map[string]any{"T": tensor.Float32, "adj_x": true}),
		inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{2, 1, 4, 3}, -1, 1), randTensor(rng, tensor.Float32, tensor.Shape{3, 4, 5}, -1, 1)}})
}

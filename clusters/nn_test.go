package clusters

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestBatchNormTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	f32 := tensor.Float32
	stats := func(c int) []*tensor.Tensor {
		return []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{c}, 0.5, 2), randTensor(rng, f32, tensor.Shape{c}, -1, 1),
			randTensor(rng, f32, tensor.Shape{c}, -1, 1), randTensor(rng, f32, tensor.Shape{c}, 0.1, 2)}
	}
	var cases []opCase
	for _, op := range []string{"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"} {
		for _, dt := range table[op].DTypes {
			for _, df := range []string{"NHWC", "NCHW"} {
				for _, static := range []bool{true, false} {
					attrs := map[string]any{"T": dt, "is_training": false, "epsilon": float32(0.01), "data_format": df}
					if op != "FusedBatchNorm" {
						attrs["U"] = f32
					}
					shape := tensor.Shape{2, 4, 5, 3}
					if df == "NCHW" {
						shape = tensor.Shape{2, 3, 4, 5}
					}
					cases = append(cases, opCase{name: fmt.Sprintf("%s_%v_%s_static%v", op, dt, df, static), node: graph.NewNode("n", op, nil, attrs),
						inputs: append([]*tensor.Tensor{randOf(rng, dt, shape, -2, 2, 0, 0)}, stats(3)...),
						static: []bool{false, static, static, static, static}, nOut: 3, tol: tolFor(dt)})
				}
			}
		}
	}
	for _, df := range []string{"NDHWC", "NCDHW"} {
		shape := tensor.Shape{2, 3, 4, 2, 3}
		if df == "NCDHW" {
			shape = tensor.Shape{2, 3, 3, 4, 2}
		}
		cases = append(cases, opCase{name: "FusedBatchNormV3_" + df, node: graph.NewNode("n", "FusedBatchNormV3", nil, map[string]any{"T": f32, "U": f32, "is_training": false, "data_format": df}),
			inputs: append([]*tensor.Tensor{randTensor(rng, f32, shape, -2, 2)}, stats(3)...), static: []bool{false, true, true, true, true}})
	}
	for _, dt := range table["_FusedBatchNormEx"].DTypes {
		for _, mode := range []string{"Identity", "Relu", "Relu6", "Elu", "LeakyRelu"} {
			for _, side := range []int{0, 1} {
				if side == 0 && mode == "Identity" {
					continue
				}
				attrs := map[string]any{"T": dt, "U": f32, "is_training": false, "epsilon": float32(0.001), "activation_mode": mode, "num_side_inputs": side, "leakyrelu_alpha": float32(0.3)}
				shape := tensor.Shape{1, 4, 4, 3}
				ins := append([]*tensor.Tensor{randOf(rng, dt, shape, -4, 4, 0, 0)}, stats(3)...)
				static := []bool{false, true, true, true, true}
				if side == 1 {
					ins, static = append(ins, randOf(rng, dt, shape, -4, 4, 0, 0)), append(static, false)
				}
				cases = append(cases, opCase{name: fmt.Sprintf("Ex_%v_%s_side%d", dt, mode, side), node: graph.NewNode("n", "_FusedBatchNormEx", nil, attrs),
					inputs: ins, static: static, tol: tolFor(dt)})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("rejected", func(t *testing.T) {
		assertUnsupported(t, graph.NewNode("n", "FusedBatchNormV3", nil, map[string]any{"T": f32, "U": f32, "is_training": true}))
		assertUnsupported(t, graph.NewNode("n", "FusedBatchNormV3", nil, map[string]any{"T": f32, "U": f32})) // is_training defaults to true
		assertUnsupported(t, graph.NewNode("n", "FusedBatchNorm", nil, map[string]any{"T": tensor.Float16, "is_training": false}))
		assertUnsupported(t, graph.NewNode("n", "_FusedBatchNormEx", nil, map[string]any{"T": f32, "U": f32, "is_training": false, "activation_mode": "Sigmoid"}))
	})
}

func TestLRNTranslator(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	var cases []opCase
	for _, dt := range table["LRN"].DTypes {
		for _, r := range []int{0, 1, 2, 5} {
			for _, beta := range []float32{0.5, 0.75, 1} {
				attrs := map[string]any{"T": dt, "depth_radius": r, "alpha": float32(0.2), "beta": beta, "bias": float32(1.5)}
				cases = append(cases, opCase{name: fmt.Sprintf("%v_r%d_beta%g", dt, r, beta), node: graph.NewNode("n", "LRN", nil, attrs),
					inputs: []*tensor.Tensor{randOf(rng, dt, tensor.Shape{2, 3, 4, 7}, -2, 2, 0, 0)}, tol: tolFor(dt)})
			}
		}
	}
	cases = append(cases, opCase{name: "defaults", node: graph.NewNode("n", "LRN", nil, map[string]any{"T": tensor.Float32}),
		inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{1, 2, 2, 13}, -2, 2)}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	assertUnsupported(t, graph.NewNode("n", "LRN", nil, map[string]any{"T": tensor.Float64}))
}

func TestSoftmaxTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(39, 40))
	var cases []opCase
	for _, op := range []string{"Softmax", "LogSoftmax"} {
		for _, dt := range table[op].DTypes {
			for _, shape := range []tensor.Shape{{7}, {3, 5}, {2, 3, 4}, {2, 1, 3, 6}} {
				cases = append(cases, opCase{name: fmt.Sprintf("%s_%v_%v", op, dt, shape), node: graph.NewNode("n", op, nil, map[string]any{"T": dt}),
					inputs: []*tensor.Tensor{randOf(rng, dt, shape, -5, 5, 0, 0)}, tol: tolFor(dt)})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	assertUnsupported(t, graph.NewNode("n", "Softmax", nil, map[string]any{"T": tensor.Int32}))
}

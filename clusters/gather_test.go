package clusters

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/tensor"
)

func TestArrayGatherScatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	f32 := tensor.Float32
	params := randTensor(rng, f32, tensor.Shape{4, 3, 5}, -1, 1)
	gv2 := func(axis int32, idx *tensor.Tensor) opCase {
		return opCase{name: fmt.Sprintf("GatherV2_axis%d_%v", axis, idx.Shape()),
			node:   arrNode("GatherV2", map[string]any{"Tparams": f32, "Tindices": idx.DType(), "Taxis": tensor.Int32}),
			inputs: []*tensor.Tensor{params, idx, tensor.Scalar(axis)}, static: []bool{false, false, true}}
	}
	cases := []opCase{
		gv2(0, i32s(3, 0, 0, 2)),
		gv2(1, i64s(2)),
		gv2(-1, i32m(tensor.Shape{2, 2}, 4, 0, 1, 3)),
		gv2(2, tensor.Scalar(int32(1))),
		{name: "Gather_v1", node: arrNode("Gather", map[string]any{"Tparams": f32, "Tindices": tensor.Int64}),
			inputs: []*tensor.Tensor{params, tensor.MustFromSlice(tensor.Shape{3, 1}, []int64{1, 3, 1})}},
		{name: "GatherNd_full", node: arrNode("GatherNd", map[string]any{"Tparams": f32, "Tindices": tensor.Int32}),
			inputs: []*tensor.Tensor{params, i32m(tensor.Shape{2, 3}, 0, 1, 2, 3, 2, 4)}},
		{name: "GatherNd_slices", node: arrNode("GatherNd", map[string]any{"Tparams": f32, "Tindices": tensor.Int64}),
			inputs: []*tensor.Tensor{params, tensor.MustFromSlice(tensor.Shape{2, 2, 1}, []int64{3, 0, 1, 1})}},
		{name: "ScatterNd_duplicates", node: arrNode("ScatterNd", map[string]any{"T": f32, "Tindices": tensor.Int32}),
			inputs: []*tensor.Tensor{i32m(tensor.Shape{4, 1}, 1, 3, 1, 1), randTensor(rng, f32, tensor.Shape{4, 3, 2}, -1, 1), i32s(4, 3, 2)},
			static: []bool{false, false, true}},
		{name: "ScatterNd_elements", node: arrNode("ScatterNd", map[string]any{"T": f32, "Tindices": tensor.Int64}),
			inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2, 2, 2}, []int64{0, 1, 2, 0, 0, 1, 1, 1}), randTensor(rng, f32, tensor.Shape{2, 2}, -1, 1), i64s(3, 2)},
			static: []bool{false, false, true}},
		// ONNX Runtime's ScatterND(add) gets such sums wrong on some runs.
		{name: "ScatterNd_many_duplicates", node: arrNode("ScatterNd", map[string]any{"T": f32, "Tindices": tensor.Int32}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Int32, tensor.Shape{10000, 2}, 0, 2), randTensor(rng, f32, tensor.Shape{10000, 256}, -1, 1), i32s(2, 2, 256)},
			static: []bool{false, false, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

func TestArrayOneHot(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, ti := range []tensor.DType{tensor.Int32, tensor.Int64, tensor.Int8, tensor.Uint8} {
		for _, axis := range []int{-1, 0, 1} {
			for _, static := range []bool{true, false} {
				for _, depth := range []int32{4, 0} {
					lo := -6.0
					if ti == tensor.Uint8 {
						lo = 0
					}
					idx := randTensor(rng, ti, tensor.Shape{3, 5}, lo, 7)
					name := fmt.Sprintf("%v_axis%d_static%v_depth%d", ti, axis, static, depth)
					checkOp(t, opCase{name: name, node: arrNode("OneHot", map[string]any{"T": tensor.Float32, "TI": ti, "axis": axis}),
						inputs: []*tensor.Tensor{idx, tensor.Scalar(depth), tensor.Scalar(float32(2.5)), tensor.Scalar(float32(-1))},
						static: []bool{false, static}})
				}
			}
		}
	}
}

func TestTensorScatterTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(49, 50))
	var cases []opCase
	for _, op := range []string{"TensorScatterUpdate", "TensorScatterAdd", "ScatterNdNonAliasingAdd", "TensorScatterSub", "TensorScatterMax", "TensorScatterMin"} {
		for _, dt := range table[op].DTypes {
			// Repeated index tuples, except for the update, whose order
			// TensorFlow leaves open.
			idx := i32m(tensor.Shape{3, 2}, 1, 0, 3, 2, 1, 0)
			if op == "TensorScatterUpdate" {
				idx = i32m(tensor.Shape{3, 2}, 1, 0, 3, 2, 0, 1)
			}
			cases = append(cases,
				opCase{name: fmt.Sprintf("%s_%v_rows", op, dt), node: arrNode(op, map[string]any{"T": dt, "Tindices": tensor.Int32}),
					inputs: []*tensor.Tensor{randOf(rng, dt, tensor.Shape{4, 3, 2}, -3, 3, 0, 50), idx, randOf(rng, dt, tensor.Shape{3, 2}, -3, 3, 0, 50)}},
				opCase{name: fmt.Sprintf("%s_%v_slices", op, dt), node: arrNode(op, map[string]any{"T": dt, "Tindices": tensor.Int32}),
					inputs: []*tensor.Tensor{randOf(rng, dt, tensor.Shape{4, 3, 2}, -3, 3, 0, 50), i32m(tensor.Shape{2, 1}, 3, 0), randOf(rng, dt, tensor.Shape{2, 3, 2}, -3, 3, 0, 50)}})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

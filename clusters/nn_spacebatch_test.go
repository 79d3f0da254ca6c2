package clusters

import (
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/tensor"
)

func TestArraySpaceBatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	f32 := tensor.Float32
	s2b := func(name string, shape tensor.Shape, block []int32, pads ...int32) opCase {
		return opCase{name: "SpaceToBatchND_" + name, node: arrNode("SpaceToBatchND", map[string]any{"T": f32}),
			inputs: []*tensor.Tensor{randTensor(rng, f32, shape, -1, 1), i32s(block...), i32m(tensor.Shape{len(block), 2}, pads...)},
			static: []bool{false, true, true}}
	}
	b2s := func(name string, shape tensor.Shape, block []int32, crops ...int32) opCase {
		return opCase{name: "BatchToSpaceND_" + name, node: arrNode("BatchToSpaceND", map[string]any{"T": f32}),
			inputs: []*tensor.Tensor{randTensor(rng, f32, shape, -1, 1), i32s(block...), i32m(tensor.Shape{len(block), 2}, crops...)},
			static: []bool{false, true, true}}
	}
	d2s := func(op, df string, shape tensor.Shape, bs int) opCase {
		return opCase{name: op + "_" + df, node: arrNode(op, map[string]any{"T": f32, "block_size": bs, "data_format": df}),
			inputs: []*tensor.Tensor{randTensor(rng, f32, shape, -1, 1)}}
	}
	cases := []opCase{
		s2b("2d", tensor.Shape{2, 4, 6, 3}, []int32{2, 3}, 0, 0, 0, 0),
		s2b("2d_padded", tensor.Shape{2, 5, 4, 3}, []int32{2, 2}, 1, 0, 1, 1),
		s2b("1d", tensor.Shape{3, 5, 2}, []int32{3}, 2, 2),
		s2b("1d_rank4", tensor.Shape{1, 4, 3, 2}, []int32{2}, 0, 0),
		b2s("2d", tensor.Shape{12, 2, 2, 3}, []int32{2, 3}, 0, 0, 0, 0),
		b2s("2d_cropped", tensor.Shape{8, 3, 3, 2}, []int32{2, 2}, 1, 0, 0, 2),
		b2s("1d", tensor.Shape{6, 4, 2}, []int32{3}, 1, 2),
		d2s("DepthToSpace", "NHWC", tensor.Shape{2, 3, 2, 12}, 2),
		d2s("DepthToSpace", "NCHW", tensor.Shape{2, 18, 2, 3}, 3),
		d2s("SpaceToDepth", "NHWC", tensor.Shape{2, 4, 6, 3}, 2),
		d2s("SpaceToDepth", "NCHW", tensor.Shape{1, 2, 6, 3}, 3),
		// The decomposition, for a type ONNX Runtime's kernels lack.
		{name: "DepthToSpace_int32_NCHW", node: arrNode("DepthToSpace", map[string]any{"T": tensor.Int32, "block_size": 2, "data_format": "NCHW"}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Int32, tensor.Shape{2, 8, 2, 3}, -100, 100)}},
		{name: "SpaceToDepth_int32_NCHW", node: arrNode("SpaceToDepth", map[string]any{"T": tensor.Int32, "block_size": 2, "data_format": "NCHW"}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Int32, tensor.Shape{2, 3, 4, 6}, -100, 100)}},
		{name: "DepthToSpace_int32_NHWC", node: arrNode("DepthToSpace", map[string]any{"T": tensor.Int32, "block_size": 3}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Int32, tensor.Shape{1, 2, 3, 18}, -100, 100)}},
		{name: "SpaceToDepth_int16_NHWC", node: arrNode("SpaceToDepth", map[string]any{"T": tensor.Int16, "block_size": 3}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Int16, tensor.Shape{2, 3, 6, 2}, -100, 100)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

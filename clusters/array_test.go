package clusters

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestArrayTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	f32 := tensor.Float32
	x234 := randTensor(rng, f32, tensor.Shape{2, 3, 4}, -1, 1)
	T := func(extra map[string]any) map[string]any {
		a := map[string]any{"T": f32}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	cases := []opCase{
		{name: "Reshape_runtime", node: arrNode("Reshape", T(nil)), inputs: []*tensor.Tensor{x234, i32s(4, -1)}},
		{name: "Reshape_static", node: arrNode("Reshape", T(nil)), inputs: []*tensor.Tensor{x234, i64s(-1, 2, 3)}, static: []bool{false, true}},
		{name: "Reshape_empty_zero_and_minus1", node: arrNode("Reshape", T(nil)),
			inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{0, 3, 2}, -1, 1), i32s(0, -1)}, static: []bool{false, true}},
		{name: "Reshape_runtime_to_empty", node: arrNode("Reshape", T(nil)),
			inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{0, 3}, -1, 1), i32s(3, 0)}},
		{name: "Squeeze_dims", node: arrNode("Squeeze", T(map[string]any{"squeeze_dims": []int{-1, 1}})),
			inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{2, 1, 3, 1}, -1, 1)}},
		{name: "Squeeze_all", node: arrNode("Squeeze", T(nil)), inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{1, 2, 1, 3}, -1, 1)}},
		{name: "ExpandDims_static_neg", node: arrNode("ExpandDims", T(nil)), inputs: []*tensor.Tensor{x234, tensor.Scalar(int32(-2))}, static: []bool{false, true}},
		{name: "ExpandDims_static_end", node: arrNode("ExpandDims", T(nil)), inputs: []*tensor.Tensor{x234, i64s(3)}, static: []bool{false, true}},
		{name: "ExpandDims_runtime_neg", node: arrNode("ExpandDims", T(nil)), inputs: []*tensor.Tensor{x234, tensor.Scalar(int32(-1))}},
		{name: "ExpandDims_runtime_front", node: arrNode("ExpandDims", T(nil)), inputs: []*tensor.Tensor{x234, i32s(0)}},
		{name: "Transpose", node: arrNode("Transpose", T(nil)), inputs: []*tensor.Tensor{x234, i32s(1, 2, 0)}, static: []bool{false, true}},
		{name: "Transpose_identity", node: arrNode("Transpose", T(nil)), inputs: []*tensor.Tensor{x234, i64s(0, 1, 2)}, static: []bool{false, true}},
		{name: "ConjugateTranspose", node: arrNode("ConjugateTranspose", T(nil)), inputs: []*tensor.Tensor{x234, i32s(2, 1, 0)}, static: []bool{false, true}},
		{name: "ConcatV2_neg_axis", node: arrNode("ConcatV2", T(map[string]any{"N": 3})),
			inputs: []*tensor.Tensor{x234, randTensor(rng, f32, tensor.Shape{2, 3, 1}, -1, 1), randTensor(rng, f32, tensor.Shape{2, 3, 2}, -1, 1), tensor.Scalar(int32(-1))},
			static: []bool{false, true, false, true}},
		{name: "ConcatV2_with_empty", node: arrNode("ConcatV2", T(map[string]any{"N": 2})),
			inputs: []*tensor.Tensor{x234, randTensor(rng, f32, tensor.Shape{0, 3, 4}, -1, 1), tensor.Scalar(int64(0))}, static: []bool{false, false, true}},
		{name: "ConcatV2_one", node: arrNode("ConcatV2", T(map[string]any{"N": 1})), inputs: []*tensor.Tensor{x234, tensor.Scalar(int32(1))}, static: []bool{false, true}},
		{name: "Concat_v1", node: arrNode("Concat", T(map[string]any{"N": 2})), inputs: []*tensor.Tensor{tensor.Scalar(int32(1)), x234, x234}, static: []bool{true}},
		{name: "Pack_axis0", node: arrNode("Pack", T(map[string]any{"N": 2, "axis": 0})), inputs: []*tensor.Tensor{x234, x234}},
		{name: "Pack_neg_axis", node: arrNode("Pack", T(map[string]any{"N": 3, "axis": -2})),
			inputs: []*tensor.Tensor{x234, randTensor(rng, f32, x234.Shape(), -1, 1), x234}, static: []bool{false, true, false}},
		{name: "Pack_one", node: arrNode("Pack", T(map[string]any{"N": 1, "axis": 3})), inputs: []*tensor.Tensor{x234}},
		{name: "Pack_scalars", node: arrNode("Pack", T(map[string]any{"N": 2})), inputs: []*tensor.Tensor{tensor.Scalar(float32(1)), tensor.Scalar(float32(2))}},
		{name: "Unpack", node: arrNode("Unpack", T(map[string]any{"num": 3, "axis": 1})), inputs: []*tensor.Tensor{x234}, nOut: 3},
		{name: "Unpack_neg", node: arrNode("Unpack", T(map[string]any{"num": 4, "axis": -1})), inputs: []*tensor.Tensor{x234}, nOut: 4},
		{name: "Unpack_one", node: arrNode("Unpack", T(map[string]any{"num": 2, "axis": 0})), inputs: []*tensor.Tensor{x234}, nOut: 2},
		{name: "Split", node: arrNode("Split", T(map[string]any{"num_split": 2})), inputs: []*tensor.Tensor{tensor.Scalar(int32(-1)), x234}, static: []bool{true}, nOut: 2},
		{name: "Split_one", node: arrNode("Split", T(map[string]any{"num_split": 1})), inputs: []*tensor.Tensor{tensor.Scalar(int32(0)), x234}, static: []bool{true}},
		{name: "SplitV_static", node: arrNode("SplitV", T(map[string]any{"num_split": 3})),
			inputs: []*tensor.Tensor{x234, i64s(1, 0, 3), tensor.Scalar(int32(2))}, static: []bool{false, true, true}, nOut: 3},
		{name: "SplitV_static_minus1", node: arrNode("SplitV", T(map[string]any{"num_split": 3})),
			inputs: []*tensor.Tensor{x234, i32s(1, -1, 1), tensor.Scalar(int32(-1))}, static: []bool{false, true, true}, nOut: 3},
		{name: "SplitV_runtime_minus1", node: arrNode("SplitV", T(map[string]any{"num_split": 2})),
			inputs: []*tensor.Tensor{x234, i32s(-1, 1), tensor.Scalar(int32(1))}, static: []bool{false, false, true}, nOut: 2},
		{name: "SplitV_runtime", node: arrNode("SplitV", T(map[string]any{"num_split": 2})),
			inputs: []*tensor.Tensor{x234, i64s(1, 1), tensor.Scalar(int32(0))}, static: []bool{false, false, true}, nOut: 2},
		{name: "Slice_runtime", node: arrNode("Slice", T(nil)), inputs: []*tensor.Tensor{x234, i32s(1, 0, 2), i32s(-1, 2, -1)}},
		{name: "Slice_static", node: arrNode("Slice", T(nil)), inputs: []*tensor.Tensor{x234, i64s(0, 1, 1), i64s(2, -1, 2)}, static: []bool{false, true, true}},
		{name: "Slice_empty", node: arrNode("Slice", T(nil)), inputs: []*tensor.Tensor{x234, i32s(0, 3, 0), i32s(2, 0, -1)}},
		{name: "Pad_runtime", node: arrNode("Pad", T(nil)), inputs: []*tensor.Tensor{x234, i32m(tensor.Shape{3, 2}, 1, 0, 0, 2, 3, 1)}},
		{name: "Pad_static", node: arrNode("Pad", T(nil)), inputs: []*tensor.Tensor{x234, i32m(tensor.Shape{3, 2}, 0, 1, 2, 0, 0, 0)}, static: []bool{false, true}},
		{name: "PadV2", node: arrNode("PadV2", T(nil)), inputs: []*tensor.Tensor{x234, i32m(tensor.Shape{3, 2}, 1, 1, 0, 2, 1, 0), tensor.Scalar(float32(-7.5))}},
		{name: "MirrorPad_reflect", node: arrNode("MirrorPad", T(map[string]any{"mode": "REFLECT"})),
			inputs: []*tensor.Tensor{x234, i32m(tensor.Shape{3, 2}, 1, 0, 2, 2, 0, 3)}, static: []bool{false, true}},
		{name: "MirrorPad_symmetric", node: arrNode("MirrorPad", T(map[string]any{"mode": "SYMMETRIC"})),
			inputs: []*tensor.Tensor{x234, i32m(tensor.Shape{3, 2}, 2, 1, 3, 3, 0, 4)}, static: []bool{false, true}},
		{name: "Tile_runtime", node: arrNode("Tile", T(nil)), inputs: []*tensor.Tensor{x234, i32s(2, 1, 3)}},
		{name: "Tile_static_zero", node: arrNode("Tile", T(nil)), inputs: []*tensor.Tensor{x234, i64s(1, 0, 2)}, static: []bool{false, true}},
		{name: "Fill", node: arrNode("Fill", T(nil)), inputs: []*tensor.Tensor{i32s(2, 3), tensor.Scalar(float32(1.5))}},
		{name: "Fill_empty", node: arrNode("Fill", T(map[string]any{"index_type": tensor.Int64})), inputs: []*tensor.Tensor{i64s(2, 0), tensor.Scalar(float32(1.5))}},
		{name: "Fill_static_dims", node: arrNode("Fill", T(nil)), inputs: []*tensor.Tensor{i32s(3, 1, 2), tensor.Scalar(float32(-2))}, static: []bool{true}},
		{name: "BroadcastTo", node: arrNode("BroadcastTo", T(nil)), inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{3, 1}, -1, 1), i32s(2, 3, 4)}},
		{name: "BroadcastTo_static", node: arrNode("BroadcastTo", T(nil)), inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{4}, -1, 1), i64s(2, 4)}, static: []bool{false, true}},
		{name: "ZerosLike", node: arrNode("ZerosLike", T(nil)), inputs: []*tensor.Tensor{x234}},
		{name: "OnesLike", node: arrNode("OnesLike", T(nil)), inputs: []*tensor.Tensor{x234}},
		{name: "ReverseV2", node: arrNode("ReverseV2", T(nil)), inputs: []*tensor.Tensor{x234, i32s(0, -1)}, static: []bool{false, true}},
		{name: "ReverseV2_none", node: arrNode("ReverseV2", T(nil)), inputs: []*tensor.Tensor{x234, tensor.MustFromSlice(tensor.Shape{0}, []int32{})}, static: []bool{false, true}},
		{name: "Shape_int64", node: arrNode("Shape", T(map[string]any{"out_type": tensor.Int64})), inputs: []*tensor.Tensor{x234}},
		{name: "ShapeN", node: arrNode("ShapeN", T(map[string]any{"N": 2})), inputs: []*tensor.Tensor{x234, randTensor(rng, f32, tensor.Shape{5}, -1, 1)}, nOut: 2},
		{name: "Size", node: arrNode("Size", T(nil)), inputs: []*tensor.Tensor{x234}},
		{name: "Rank", node: arrNode("Rank", T(nil)), inputs: []*tensor.Tensor{x234}},
		{name: "Cumsum", node: arrNode("Cumsum", T(nil)), inputs: []*tensor.Tensor{x234, tensor.Scalar(int32(1))}, static: []bool{false, true}},
		{name: "Cumsum_exclusive_reverse", node: arrNode("Cumsum", T(map[string]any{"exclusive": true, "reverse": true})),
			inputs: []*tensor.Tensor{x234, tensor.Scalar(int64(-1))}, static: []bool{false, true}},
		{name: "Cumsum_int8_wraps", node: arrNode("Cumsum", map[string]any{"T": tensor.Int8}),
			inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{5}, []int8{100, 100, 100, -128, 127}), tensor.Scalar(int32(0))}},
		{name: "Cumsum_uint64_wraps", node: arrNode("Cumsum", map[string]any{"T": tensor.Uint64, "reverse": true}),
			inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{3}, []uint64{1 << 63, 1 << 63, 5}), tensor.Scalar(int32(0))}, static: []bool{false, true}},
		{name: "Cumsum_runtime_axis", node: arrNode("Cumsum", T(map[string]any{"reverse": true})), inputs: []*tensor.Tensor{x234, tensor.Scalar(int32(0))}},
		{name: "Where", node: arrNode("Where", T(nil)), inputs: []*tensor.Tensor{sparseTensor(rng, f32, tensor.Shape{3, 4, 2})}},
		{name: "Where_scalar_true", node: arrNode("Where", T(nil)), inputs: []*tensor.Tensor{tensor.Scalar(float32(-2))}},
		{name: "Where_scalar_false", node: arrNode("Where", map[string]any{"T": tensor.Bool}), inputs: []*tensor.Tensor{tensor.Scalar(false)}},
		{name: "Where_empty", node: arrNode("Where", T(nil)), inputs: []*tensor.Tensor{tensor.MustNew(f32, tensor.Shape{2, 3})}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

// arrayDTypeCase builds a basic case of op for dtype dt.
func arrayDTypeCase(rng *rand.Rand, op string, dt tensor.DType) opCase {
	x := anyTensor(rng, dt, tensor.Shape{2, 3, 4})
	T := map[string]any{"T": dt}
	one := func(in ...*tensor.Tensor) []*tensor.Tensor { return in }
	tc := opCase{node: arrNode(op, T), inputs: one(x)}
	switch op {
	case "Reshape":
		tc.inputs = one(x, i32s(4, -1))
	case "Squeeze":
		tc.inputs = one(anyTensor(rng, dt, tensor.Shape{2, 1, 3}))
	case "ExpandDims":
		tc.inputs, tc.static = one(x, tensor.Scalar(int32(1))), []bool{false, true}
	case "Transpose", "ConjugateTranspose":
		tc.inputs, tc.static = one(x, i32s(2, 0, 1)), []bool{false, true}
	case "ConcatV2":
		tc.node = arrNode(op, map[string]any{"T": dt, "N": 2})
		tc.inputs, tc.static = one(x, anyTensor(rng, dt, tensor.Shape{2, 3, 2}), tensor.Scalar(int32(2))), []bool{false, false, true}
	case "Concat":
		tc.node = arrNode(op, map[string]any{"T": dt, "N": 2})
		tc.inputs, tc.static = one(tensor.Scalar(int32(0)), x, x), []bool{true}
	case "Pack":
		tc.node = arrNode(op, map[string]any{"T": dt, "N": 2, "axis": 1})
		tc.inputs = one(x, x)
	case "Unpack":
		tc.node, tc.nOut = arrNode(op, map[string]any{"T": dt, "num": 3, "axis": 1}), 3
	case "Split":
		tc.node, tc.nOut = arrNode(op, map[string]any{"T": dt, "num_split": 2}), 2
		tc.inputs, tc.static = one(tensor.Scalar(int32(2)), x), []bool{true}
	case "SplitV":
		tc.node, tc.nOut = arrNode(op, map[string]any{"T": dt, "num_split": 2}), 2
		tc.inputs, tc.static = one(x, i32s(-1, 1), tensor.Scalar(int32(1))), []bool{false, true, true}
	case "Slice":
		tc.inputs = one(x, i32s(1, 0, 1), i32s(1, -1, 2))
	case "StridedSlice":
		tc.inputs, tc.static = one(x, i32s(1, -1), i32s(0, 0), i32s(1, -2)), []bool{false, true, true, true}
		tc.node = arrNode(op, map[string]any{"T": dt, "end_mask": 1, "new_axis_mask": 0})
	case "Pad":
		tc.inputs = one(x, i32m(tensor.Shape{3, 2}, 1, 0, 0, 1, 2, 2))
	case "PadV2":
		tc.inputs = one(x, i32m(tensor.Shape{3, 2}, 1, 0, 0, 1, 2, 2), anyTensor(rng, dt, tensor.Shape{}))
	case "MirrorPad", "MirrorPad/SYMMETRIC":
		mode := "REFLECT"
		if op != "MirrorPad" {
			op, mode = "MirrorPad", "SYMMETRIC"
		}
		tc.node = arrNode(op, map[string]any{"T": dt, "mode": mode})
		tc.inputs, tc.static = one(x, i32m(tensor.Shape{3, 2}, 1, 0, 0, 2, 3, 1)), []bool{false, true}
	case "Tile":
		tc.inputs = one(x, i32s(1, 2, 2))
	case "Fill":
		tc.inputs = one(i32s(2, 3), anyTensor(rng, dt, tensor.Shape{}))
	case "BroadcastTo":
		tc.inputs = one(anyTensor(rng, dt, tensor.Shape{3, 1}), i32s(2, 3, 4))
	case "Range":
		tc.node = arrNode(op, map[string]any{"Tidx": dt})
		tc.inputs = one(tensor.Scalar(int32(0)), tensor.Scalar(int32(10)), tensor.Scalar(int32(3)))
		for i, v := range []float64{1, 10, 3} {
			tc.inputs[i], _ = tensor.FromFloat64s(dt, tensor.Shape{}, []float64{v})
		}
	case "Shape", "Size":
		tc.node = arrNode(op, map[string]any{"T": dt, "out_type": tensor.Int64})
	case "ShapeN":
		tc.node, tc.nOut = arrNode(op, map[string]any{"T": dt, "N": 2}), 2
		tc.inputs = one(x, x)
	case "ReverseV2":
		tc.inputs, tc.static = one(x, i32s(1, 2)), []bool{false, true}
	case "DepthToSpace":
		tc.node = arrNode(op, map[string]any{"T": dt, "block_size": 2})
		tc.inputs = one(anyTensor(rng, dt, tensor.Shape{1, 2, 3, 8}))
	case "SpaceToDepth":
		tc.node = arrNode(op, map[string]any{"T": dt, "block_size": 2})
		tc.inputs = one(anyTensor(rng, dt, tensor.Shape{1, 4, 2, 3}))
	case "SpaceToBatchND":
		tc.inputs, tc.static = one(anyTensor(rng, dt, tensor.Shape{1, 4, 3, 2}), i32s(2, 2), i32m(tensor.Shape{2, 2}, 0, 2, 1, 0)), []bool{false, true, true}
	case "BatchToSpaceND":
		tc.inputs, tc.static = one(anyTensor(rng, dt, tensor.Shape{4, 2, 3, 1}), i32s(2, 2), i32m(tensor.Shape{2, 2}, 1, 0, 0, 2)), []bool{false, true, true}
	case "GatherV2":
		tc.node = arrNode(op, map[string]any{"Tparams": dt, "Tindices": tensor.Int32, "Taxis": tensor.Int32})
		tc.inputs, tc.static = one(x, i32s(2, 0, 2), tensor.Scalar(int32(1))), []bool{false, false, true}
	case "Gather":
		tc.node = arrNode(op, map[string]any{"Tparams": dt, "Tindices": tensor.Int64})
		tc.inputs = one(x, i64s(1, 1, 0))
	case "GatherNd":
		tc.node = arrNode(op, map[string]any{"Tparams": dt, "Tindices": tensor.Int32})
		tc.inputs = one(x, i32m(tensor.Shape{2, 2}, 1, 2, 0, 1))
	case "ScatterNd":
		tc.node = arrNode(op, map[string]any{"T": dt, "Tindices": tensor.Int32})
		tc.inputs, tc.static = one(i32m(tensor.Shape{3, 1}, 1, 0, 1), anyTensor(rng, dt, tensor.Shape{3, 4}), i32s(2, 4)), []bool{false, false, true}
	case "OneHot":
		tc.node = arrNode(op, map[string]any{"T": dt, "TI": tensor.Int32})
		tc.inputs, tc.static = one(i32s(0, 3, -1, 2, 7), tensor.Scalar(int32(4)), anyTensor(rng, dt, tensor.Shape{}), anyTensor(rng, dt, tensor.Shape{})), []bool{false, true}
	case "Where":
		tc.inputs = one(sparseTensor(rng, dt, tensor.Shape{3, 4}))
	case "Cumsum":
		tc.inputs, tc.static = one(x, tensor.Scalar(int32(1))), []bool{false, true}
	}
	tc.name = tc.node.GetOp() + "_" + dt.String()
	if m, _ := graph.AttrsOf(tc.node).String("mode", ""); m != "" {
		tc.name += "_" + m
	}
	return tc
}

// arrayOps are the op types translated as methods of arr: array_*.go's,
// gather.go's, nn_spacebatch.go's and Cumsum.
var arrayOps = []string{"Reshape", "Squeeze", "ExpandDims", "Transpose", "ConjugateTranspose", "ConcatV2", "Concat", "Pack", "Unpack",
	"Split", "SplitV", "Slice", "StridedSlice", "Pad", "PadV2", "MirrorPad", "Tile", "Fill", "BroadcastTo", "Range", "Shape", "ShapeN",
	"Size", "Rank", "ZerosLike", "OnesLike", "ReverseV2", "DepthToSpace", "SpaceToDepth", "SpaceToBatchND", "BatchToSpaceND",
	"GatherV2", "Gather", "GatherNd", "ScatterNd", "OneHot", "Where", "Cumsum"}

// TestArrayDTypes runs every claimed dtype of every op through ONNX
// Runtime: a dtype its CPU provider lacks fails at session creation.
func TestArrayDTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, op := range append(arrayOps, "MirrorPad/SYMMETRIC") {
		e, ok := table[strings.TrimSuffix(op, "/SYMMETRIC")]
		require.True(t, ok, op)
		require.NotNil(t, e.DTypes, "%s claims every dtype", op)
		for _, dt := range e.DTypes {
			tc := arrayDTypeCase(rng, op, dt)
			t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
		}
	}
}

func TestArraySupported(t *testing.T) {
	f32 := tensor.Float32
	rejected := []*tfpb.NodeDef{
		arrNode("Pad", map[string]any{"T": tensor.Complex64}),
		arrNode("Tile", map[string]any{"T": tensor.String}),
		arrNode("Fill", map[string]any{"T": tensor.Complex128}),
		arrNode("Reshape", map[string]any{"T": tensor.String}),
		arrNode("ConjugateTranspose", map[string]any{"T": tensor.Complex64}),
		arrNode("Range", map[string]any{"Tidx": tensor.Int16}),
		arrNode("Cumsum", map[string]any{"T": tensor.Float16}),
		arrNode("DepthToSpace", map[string]any{"T": tensor.String, "block_size": 2}),
		arrNode("DepthToSpace", map[string]any{"T": f32, "block_size": 2, "data_format": "NCHW_VECT_C"}),
		arrNode("SpaceToDepth", map[string]any{"T": f32, "block_size": 1}),
		arrNode("MirrorPad", map[string]any{"T": f32, "mode": "EDGE"}),
		arrNode("GatherV2", map[string]any{"Tparams": f32, "batch_dims": 1}),
		arrNode("GatherNd", map[string]any{"Tparams": f32, "bad_indices_policy": "IGNORE"}),
		arrNode("ScatterNd", map[string]any{"T": f32, "bad_indices_policy": "IGNORE"}),
		arrNode("ScatterNd", map[string]any{"T": tensor.Float16}),
		arrNode("OneHot", map[string]any{"T": f32, "TI": tensor.Int16}),
		arrNode("Shape", map[string]any{"T": f32, "out_type": tensor.Float32}),
		arrNode("StridedSlice", map[string]any{"T": f32, "ellipsis_mask": 5}),
		arrNode("Where", map[string]any{"T": tensor.Complex64}),
	}
	for _, n := range rejected {
		ok, why := Supported(n)
		assert.False(t, ok, "%s %v", n.GetOp(), n.GetAttr())
		assert.NotEmpty(t, why)
	}
	ok, why := Supported(arrNode("MirrorPad", map[string]any{"T": tensor.Float16, "mode": "SYMMETRIC"}))
	assert.True(t, ok, why)
}

func TestArrayStaticInputs(t *testing.T) {
	in := func(n int) []string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("x%d", i)
		}
		return s
	}
	cases := []struct {
		op   string
		n    int
		want []int
	}{
		{"Reshape", 2, nil}, {"ExpandDims", 2, nil}, {"Transpose", 2, []int{1}}, {"ConcatV2", 4, []int{3}}, {"Concat", 3, []int{0}},
		{"Split", 2, []int{0}}, {"SplitV", 3, []int{2}}, {"Slice", 3, nil}, {"StridedSlice", 4, []int{1, 2, 3}}, {"Pad", 2, nil},
		{"PadV2", 3, nil}, {"MirrorPad", 2, []int{1}}, {"Tile", 2, nil}, {"Fill", 2, nil}, {"BroadcastTo", 2, nil}, {"Range", 3, nil},
		{"ReverseV2", 2, []int{1}}, {"SpaceToBatchND", 3, []int{1, 2}}, {"BatchToSpaceND", 3, []int{1, 2}}, {"GatherV2", 3, []int{2}},
		{"GatherNd", 2, nil}, {"ScatterNd", 3, []int{2}}, {"OneHot", 4, nil}, {"Cumsum", 2, nil},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, opdefs.StaticInputs(graph.NewNode("n", c.op, in(c.n), nil)), c.op)
	}
}

// TestArrayAfterConvolution feeds each layout-aware op an NHWC Conv2D
// output, which arrives stored NCHW: the op must work on it in place, so
// the model has one transpose in (for the convolution) and one per output.
func TestArrayAfterConvolution(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	f32 := tensor.Float32
	x := randTensor(rng, f32, tensor.Shape{2, 4, 6, 3}, -1, 1)
	w := randTensor(rng, f32, tensor.Shape{1, 1, 3, 4}, -1, 1) // conv output [2, 4, 6, 4]
	type arg struct {
		t      *tensor.Tensor
		static bool
	}
	st := func(t *tensor.Tensor) arg { return arg{t, true} }
	rt := func(t *tensor.Tensor) arg { return arg{t, false} }
	T := func(extra map[string]any) map[string]any {
		a := map[string]any{"T": f32}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	cases := []struct {
		name, op   string
		attrs      map[string]any
		args       []arg
		nOut       int
		transposes int // in the whole model
	}{
		{"Transpose_to_NCHW", "Transpose", T(nil), []arg{st(i32s(0, 3, 1, 2))}, 1, 1},
		{"Transpose_other", "Transpose", T(nil), []arg{st(i32s(2, 0, 3, 1))}, 1, 2},
		{"ConcatV2_const", "ConcatV2", T(map[string]any{"N": 2}), []arg{st(randTensor(rng, f32, tensor.Shape{2, 4, 6, 2}, -1, 1)), st(tensor.Scalar(int32(-1)))}, 1, 2},
		{"ConcatV2_runtime", "ConcatV2", T(map[string]any{"N": 2}), []arg{rt(randTensor(rng, f32, tensor.Shape{2, 1, 6, 4}, -1, 1)), st(tensor.Scalar(int32(1)))}, 1, 3},
		{"Pack", "Pack", T(map[string]any{"N": 3, "axis": 2}), []arg{st(randTensor(rng, f32, tensor.Shape{2, 4, 6, 4}, -1, 1))}, 1, 2},
		{"Unpack", "Unpack", T(map[string]any{"num": 4, "axis": 3}), nil, 4, 1},
		{"Split", "Split", T(map[string]any{"num_split": 2}), nil, 2, 3}, // split_dim is inserted first below
		{"SplitV", "SplitV", T(map[string]any{"num_split": 2}), []arg{st(i32s(-1, 1)), st(tensor.Scalar(int32(3)))}, 2, 3},
		{"Squeeze_all", "Squeeze", T(nil), nil, 1, 2},
		{"Squeeze_dims", "Squeeze", T(map[string]any{"squeeze_dims": []int{-3}}), nil, 1, 2},
		{"ExpandDims", "ExpandDims", T(nil), []arg{st(tensor.Scalar(int32(2)))}, 1, 2},
		{"Slice_static", "Slice", T(nil), []arg{st(i32s(1, 0, 2, 1)), st(i32s(-1, 3, -1, 2))}, 1, 2},
		{"Slice_runtime", "Slice", T(nil), []arg{rt(i32s(0, 1, 2, 1)), rt(i32s(1, -1, 3, 2))}, 1, 2},
		{"StridedSlice", "StridedSlice", T(map[string]any{"shrink_axis_mask": 1, "new_axis_mask": 4, "end_mask": 2}),
			[]arg{st(i32s(1, 1, 0, -1)), st(i32s(2, 0, 0, 0)), st(i32s(1, 2, 1, -2))}, 1, 2},
		{"Pad_static", "Pad", T(nil), []arg{st(i32m(tensor.Shape{4, 2}, 0, 1, 1, 0, 2, 2, 1, 3))}, 1, 2},
		{"Pad_runtime", "PadV2", T(nil), []arg{rt(i32m(tensor.Shape{4, 2}, 1, 0, 0, 2, 1, 1, 0, 1)), rt(tensor.Scalar(float32(3)))}, 1, 3}, // and one of the paddings
		{"MirrorPad_reflect", "MirrorPad", T(map[string]any{"mode": "REFLECT"}), []arg{st(i32m(tensor.Shape{4, 2}, 0, 0, 1, 2, 3, 0, 0, 1))}, 1, 2},
		{"MirrorPad_symmetric", "MirrorPad", T(map[string]any{"mode": "SYMMETRIC"}), []arg{st(i32m(tensor.Shape{4, 2}, 1, 0, 4, 2, 3, 6, 0, 1))}, 1, 2},
		{"Tile_static", "Tile", T(nil), []arg{st(i32s(1, 2, 1, 3))}, 1, 2},
		{"Tile_runtime", "Tile", T(nil), []arg{rt(i32s(2, 1, 2, 1))}, 1, 2},
		{"ReverseV2", "ReverseV2", T(nil), []arg{st(i32s(1, -1))}, 1, 2},
		{"Cumsum", "Cumsum", T(map[string]any{"exclusive": true}), []arg{st(tensor.Scalar(int32(3)))}, 1, 2},
		{"GatherV2", "GatherV2", map[string]any{"Tparams": f32, "Tindices": tensor.Int32, "Taxis": tensor.Int32},
			[]arg{rt(i32m(tensor.Shape{2, 3}, 0, 3, 3, 1, 0, 2)), st(tensor.Scalar(int32(2)))}, 1, 2},
		{"GatherV2_channels", "GatherV2", map[string]any{"Tparams": f32, "Tindices": tensor.Int64, "Taxis": tensor.Int32},
			[]arg{rt(i64s(3, 1)), st(tensor.Scalar(int32(-1)))}, 1, 2},
		{"BroadcastTo", "BroadcastTo", T(nil), []arg{st(i32s(2, 4, 6, 4))}, 1, 2},
		{"ZerosLike", "ZerosLike", T(nil), nil, 1, 2},
		{"OnesLike", "OnesLike", T(nil), nil, 1, 2},
		{"DepthToSpace", "DepthToSpace", T(map[string]any{"block_size": 2}), nil, 1, 2},
		{"SpaceToDepth", "SpaceToDepth", T(map[string]any{"block_size": 2}), nil, 1, 2},
		{"SpaceToBatchND", "SpaceToBatchND", T(nil), []arg{st(i32s(2, 3)), st(i32m(tensor.Shape{2, 2}, 1, 1, 0, 0))}, 1, 3}, // and its own
		{"BatchToSpaceND", "BatchToSpaceND", T(nil), []arg{st(i32s(1, 2)), st(i32m(tensor.Shape{2, 2}, 0, 0, 1, 2))}, 1, 3}, // and its own
		{"Shape", "Shape", T(nil), nil, 1, 1},
		{"Reshape", "Reshape", T(nil), []arg{st(i32s(2, -1))}, 1, 2},
	}
	// Inputs of another shape than x's, by case.
	inputs := map[string]*tensor.Tensor{
		"Squeeze_all":  randTensor(rng, f32, tensor.Shape{1, 4, 1, 3}, -1, 1),
		"Squeeze_dims": randTensor(rng, f32, tensor.Shape{2, 1, 6, 3}, -1, 1),
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b graph.Builder
			b.Placeholder("x", f32, nil)
			feeds := map[string]*tensor.Tensor{"x": x}
			if in, ok := inputs[tc.name]; ok {
				feeds["x"] = in
			}
			b.Const("w", w)
			b.Add("conv", "Conv2D", []string{"x", "w"}, map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "VALID"})
			inputs := []string{"conv"}
			if tc.op == "Split" {
				b.Const("dim", tensor.Scalar(int32(-1)))
				inputs = []string{"dim", "conv"}
			}
			for i, a := range tc.args {
				name := fmt.Sprintf("arg%d", i)
				if a.static {
					b.Const(name, a.t)
				} else {
					b.Placeholder(name, a.t.DType(), nil)
					feeds[name] = a.t
				}
				inputs = append(inputs, name)
			}
			if tc.op == "Pack" {
				inputs = append(inputs, "conv")
			}
			b.Add("op", tc.op, inputs, tc.attrs)
			var outs []string
			for k := 0; k < tc.nOut; k++ {
				outs = append(outs, fmt.Sprintf("op:%d", k))
			}
			g := checkGraph(t, b.Graph(), feeds, outs...)
			assert.Equal(t, tc.transposes, countOps(g, "Transpose"), "\n%s", dumpGraph(g))
		})
	}
}

// TestArrayTransposeChain checks that transposes compose: NCHW storage,
// then two user transposes, need no transpose beyond the convolution's
// input one when the result is NHWC again.
func TestArrayTransposeChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	f32 := tensor.Float32
	var b graph.Builder
	b.Placeholder("x", f32, nil)
	b.Const("w", randTensor(rng, f32, tensor.Shape{3, 3, 2, 3}, -1, 1))
	b.Add("conv", "Conv2D", []string{"x", "w"}, map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "SAME"})
	b.Const("p1", i32s(0, 3, 1, 2))
	b.Const("p2", i32s(0, 2, 3, 1))
	b.Add("t1", "Transpose", []string{"conv", "p1"}, map[string]any{"T": f32})
	b.Add("t2", "Transpose", []string{"t1", "p2"}, map[string]any{"T": f32})
	b.Add("relu", "Relu", []string{"t2"}, map[string]any{"T": f32})
	g := checkGraph(t, b.Graph(), map[string]*tensor.Tensor{"x": randTensor(rng, f32, tensor.Shape{1, 5, 5, 2}, -1, 1)}, "t1:0", "relu:0")
	// One transpose into the convolution, one for relu's NHWC output;
	// t1 (NCHW) is the stored value itself.
	assert.Equal(t, 2, countOps(g, "Transpose"), "\n%s", dumpGraph(g))
}

// TestArrayUnfolded translates ops whose outputs the oracle folds with
// their values withheld, as a caller without static values would.
func TestArrayUnfolded(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	f32 := tensor.Float32
	var b graph.Builder
	b.Placeholder("x", f32, nil)
	b.Placeholder("y", tensor.Float16, nil)
	b.Const("w", randTensor(rng, f32, tensor.Shape{1, 1, 3, 2}, -1, 1))
	b.Add("conv", "Conv2D", []string{"x", "w"}, map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "VALID"})
	b.Add("shape", "ShapeN", []string{"conv", "x"}, map[string]any{"T": f32, "N": 2})
	b.Add("shape64", "Shape", []string{"x"}, map[string]any{"T": f32, "out_type": tensor.Int64})
	b.Add("size", "Size", []string{"y"}, map[string]any{"T": tensor.Float16})
	b.Add("size_scalar", "Size", []string{"s"}, map[string]any{"T": f32, "out_type": tensor.Int64})
	b.Add("rank", "Rank", []string{"conv"}, map[string]any{"T": f32})
	b.Add("range", "Range", []string{"r0", "r1", "r2"}, map[string]any{"Tidx": tensor.Int32})
	b.Const("r0", tensor.Scalar(int32(2)))
	b.Const("r1", tensor.Scalar(int32(9)))
	b.Const("r2", tensor.Scalar(int32(2)))
	b.Const("s", tensor.Scalar(float32(3)))
	g := b.Graph()
	// Constants first, as a topological order wants them.
	g.Node = append(g.Node[len(g.Node)-4:], g.Node[:len(g.Node)-4]...)
	enginetest.Require(t)
	cl := &Cluster{Inputs: []string{"x:0", "y:0"},
		Outputs: []string{"shape:0", "shape:1", "shape64:0", "size:0", "size_scalar:0", "rank:0", "range:0"}}
	for _, n := range g.Node {
		if n.GetOp() != "Placeholder" {
			cl.Nodes = append(cl.Nodes, n)
		}
	}
	in := []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{2, 3, 4, 3}, -1, 1), randTensor(rng, tensor.Float16, tensor.Shape{5, 0, 2}, -1, 1)}
	r, err := newRunner(cl)
	require.NoError(t, err)
	info, want, err := r.Infer(context.Background(), in, nil)
	require.NoError(t, err)
	for _, name := range cl.Outputs {
		inf := info[name]
		require.NotNil(t, inf.Value, name)
		inf.Value = nil
		info[name] = inf
	}
	g2 := compareOnEngine(t, cl, info, in, want, tensor.Tolerance{})
	assert.Positive(t, countOps(g2, "Shape"))
	assert.Positive(t, countOps(g2, "Range"))
}

// TestArrayAfterTranspose feeds ops a value whose layout a user Transpose
// made arbitrary (the batch not stored first), and random StridedSlice
// specs a permuted value, comparing with the executor.
func TestArrayAfterTranspose(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	f32 := tensor.Float32
	x := randTensor(rng, f32, tensor.Shape{2, 4, 6, 3}, -1, 1)
	// build returns x → Transpose(perm) → op(args...).
	build := func(perm []int32, op string, attrs map[string]any, args ...*tensor.Tensor) *tfpb.GraphDef {
		var b graph.Builder
		b.Placeholder("x", f32, nil)
		b.Const("perm", i32s(perm...))
		b.Add("t", "Transpose", []string{"x", "perm"}, map[string]any{"T": f32})
		inputs := []string{"t"}
		for i, a := range args {
			name := fmt.Sprintf("arg%d", i)
			b.Const(name, a)
			inputs = append(inputs, name)
		}
		b.Add("op", op, inputs, attrs)
		return b.Graph()
	}
	feeds := map[string]*tensor.Tensor{"x": x}
	T := map[string]any{"T": f32}
	gather := map[string]any{"Tparams": f32, "Tindices": tensor.Int32, "Taxis": tensor.Int32}
	cases := []struct {
		name string
		g    *tfpb.GraphDef
	}{
		// [4, 2, 6, 3]: batch 4 stored second.
		{"SpaceToBatchND", build([]int32{1, 0, 2, 3}, "SpaceToBatchND", T, i32s(2, 3), i32m(tensor.Shape{2, 2}, 0, 0, 0, 0))},
		{"SpaceToBatchND_padded", build([]int32{2, 1, 0, 3}, "SpaceToBatchND", T, i32s(3), i32m(tensor.Shape{1, 2}, 1, 1))},
		{"BatchToSpaceND", build([]int32{1, 0, 2, 3}, "BatchToSpaceND", T, i32s(2), i32m(tensor.Shape{1, 2}, 1, 0))},
		{"GatherV2_axis0", build([]int32{3, 1, 0, 2}, "GatherV2", gather, i32m(tensor.Shape{2, 2}, 2, 0, 1, 1), tensor.Scalar(int32(0)))},
		{"GatherV2_axis2", build([]int32{3, 1, 0, 2}, "GatherV2", gather, tensor.Scalar(int32(1)), tensor.Scalar(int32(2)))},
		{"Unpack", build([]int32{2, 3, 1, 0}, "Unpack", map[string]any{"T": f32, "num": 3, "axis": 1})},
		{"Pack", build([]int32{3, 2, 0, 1}, "Pack", map[string]any{"T": f32, "N": 2, "axis": -1}, randTensor(rng, f32, tensor.Shape{3, 6, 2, 4}, -1, 1))},
		{"ExpandDims", build([]int32{3, 2, 0, 1}, "ExpandDims", T, tensor.Scalar(int32(-3)))},
		{"Pad", build([]int32{3, 2, 0, 1}, "Pad", T, i32m(tensor.Shape{4, 2}, 1, 0, 0, 2, 0, 0, 3, 1))},
		{"Tile", build([]int32{3, 2, 0, 1}, "Tile", T, i32s(1, 2, 3, 1))},
		{"Cumsum", build([]int32{3, 2, 0, 1}, "Cumsum", T, tensor.Scalar(int32(1)))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var outs []string
			for _, n := range tc.g.GetNode() {
				if n.GetName() == "op" && n.GetOp() == "Unpack" {
					outs = []string{"op:0", "op:1", "op:2"}
				}
			}
			if outs == nil {
				outs = []string{"op:0"}
			}
			checkGraph(t, tc.g, feeds, outs...)
		})
	}
	// Random slices of an NCHW-stored convolution output [2, 4, 6, 3].
	w := randTensor(rng, f32, tensor.Shape{1, 1, 3, 3}, -1, 1)
	for k := 0; k < 60; k++ {
		n := 1 + rng.IntN(4)
		s := stridedCase{}
		for i := 0; i < n; i++ {
			s.begin = append(s.begin, int32(rng.IntN(15)-7))
			s.end = append(s.end, int32(rng.IntN(15)-7))
			st := int32(rng.IntN(2) + 1)
			if rng.IntN(2) == 0 {
				st = -st
			}
			s.strides = append(s.strides, st)
		}
		s.beginM, s.endM = rng.IntN(1<<n), rng.IntN(1<<n)
		s.newAx, s.shrk = rng.IntN(1<<n)&rng.IntN(1<<n), rng.IntN(1<<n)&rng.IntN(1<<n)
		if rng.IntN(3) == 0 {
			s.ellipsis = 1 << rng.IntN(n)
		}
		// The executor must accept the spec for the conv output's shape.
		if !oracleAccepts(opCase{node: s.node(), inputs: []*tensor.Tensor{tensor.MustNew(f32, tensor.Shape{2, 4, 6, 3}), i32s(s.begin...), i32s(s.end...), i32s(s.strides...)},
			static: []bool{false, true, true, true}}) {
			continue
		}
		t.Run(fmt.Sprintf("conv_strided%d", k), func(t *testing.T) {
			t.Logf("%+v", s)
			var b graph.Builder
			b.Placeholder("x", f32, nil)
			b.Const("w", w)
			b.Add("conv", "Conv2D", []string{"x", "w"}, map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "VALID"})
			b.Const("b", i32s(s.begin...))
			b.Const("e", i32s(s.end...))
			b.Const("s", i32s(s.strides...))
			n := s.node()
			n.Name, n.Input = "op", []string{"conv", "b", "e", "s"}
			b.Graph().Node = append(b.Graph().Node, n)
			checkGraph(t, b.Graph(), feeds, "op:0")
		})
	}
}

// TestArrayFoldsShapeArithmetic checks the fold: a Keras-style flatten
// (Shape, StridedSlice, Pack, Reshape) computes its shape at translation
// time, leaving one Reshape.
func TestArrayFoldsShapeArithmetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	f32 := tensor.Float32
	var b graph.Builder
	b.Placeholder("x", f32, nil)
	b.Add("shape", "Shape", []string{"x"}, map[string]any{"T": f32})
	b.Const("b", i32s(0))
	b.Const("e", i32s(1))
	b.Const("s", i32s(1))
	b.Add("batch", "StridedSlice", []string{"shape", "b", "e", "s"}, map[string]any{"T": tensor.Int32, "Index": tensor.Int32, "shrink_axis_mask": 1})
	b.Const("minus1", tensor.Scalar(int32(-1)))
	b.Add("dims", "Pack", []string{"batch", "minus1"}, map[string]any{"T": tensor.Int32, "N": 2})
	b.Add("flat", "Reshape", []string{"x", "dims"}, map[string]any{"T": f32})
	g := checkGraph(t, b.Graph(), map[string]*tensor.Tensor{"x": randTensor(rng, f32, tensor.Shape{3, 2, 5}, -1, 1)}, "flat:0")
	assert.Len(t, g.GetNode(), 2, "Reshape and the output Identity:\n%s", dumpGraph(g))
	assert.Equal(t, 1, countOps(g, "Reshape"))
}

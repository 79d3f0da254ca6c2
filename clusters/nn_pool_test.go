package clusters

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestPoolTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var cases []opCase
	for _, op := range []string{"MaxPool", "AvgPool"} {
		pads := []string{"SAME", "VALID"}
		if op == "MaxPool" {
			pads = append(pads, "EXPLICIT")
		}
		for _, pad := range pads {
			for _, k := range []int{2, 3} {
				for _, s := range []int{1, 2} {
					for _, nchw := range []bool{false, true} {
						attrs := map[string]any{"T": tensor.Float32, "ksize": []int{1, k, k, 1}, "strides": []int{1, s, s, 1}, "padding": pad}
						shape := tensor.Shape{2, 7, 6, 3}
						if nchw {
							attrs["data_format"] = "NCHW"
							attrs["ksize"], attrs["strides"] = []int{1, 1, k, k}, []int{1, 1, s, s}
							shape = tensor.Shape{2, 3, 7, 6}
						}
						if pad == "EXPLICIT" {
							attrs["explicit_paddings"] = []int{0, 0, 1, k - 1, 0, 1, 0, 0}
							if nchw {
								attrs["explicit_paddings"] = []int{0, 0, 0, 0, 1, k - 1, 0, 1}
							}
						}
						cases = append(cases, opCase{name: fmt.Sprintf("%s_%s_k%d_s%d_nchw%v", op, pad, k, s, nchw),
							node: graph.NewNode("n", op, nil, attrs), inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, shape, -2, 2)}})
					}
				}
			}
		}
	}
	// Every claimed dtype, with an odd window and stride.
	for _, op := range []string{"MaxPool", "AvgPool"} {
		for _, dt := range table[op].DTypes {
			attrs := map[string]any{"T": dt, "ksize": []int{1, 3, 2, 1}, "strides": []int{1, 2, 1, 1}, "padding": "SAME"}
			cases = append(cases, opCase{name: fmt.Sprintf("%s_%v", op, dt), node: graph.NewNode("n", op, nil, attrs),
				inputs: []*tensor.Tensor{randOf(rng, dt, tensor.Shape{1, 5, 6, 2}, -2, 2, -100, 100)}, tol: tolFor(dt)})
		}
	}
	for _, pad := range []string{"SAME", "VALID"} {
		cases = append(cases, opCase{name: "MaxPoolV2_" + pad, node: graph.NewNode("n", "MaxPoolV2", nil, map[string]any{"T": tensor.Float32, "padding": pad}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{1, 7, 7, 2}, -1, 1),
				tensor.MustFromSlice(tensor.Shape{4}, []int32{1, 3, 3, 1}), tensor.MustFromSlice(tensor.Shape{4}, []int32{1, 2, 2, 1})},
			static: []bool{false, true, true}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}

	t.Run("rejected", func(t *testing.T) {
		f32 := tensor.Float32
		assertUnsupported(t, graph.NewNode("n", "MaxPool", nil, map[string]any{"T": f32, "ksize": []int{1, 1, 1, 2}, "strides": []int{1, 1, 1, 2}, "padding": "VALID"}))
		assertUnsupported(t, graph.NewNode("n", "MaxPool", nil, map[string]any{"T": f32, "ksize": []int{1, 2, 2, 1}, "strides": []int{1, 1, 1, 1}, "padding": "EXPLICIT",
			"explicit_paddings": []int{0, 0, 2, 0, 0, 0, 0, 0}}))
		assertUnsupported(t, graph.NewNode("n", "MaxPool", nil, map[string]any{"T": tensor.Int64, "ksize": []int{1, 2, 2, 1}, "strides": []int{1, 1, 1, 1}, "padding": "VALID"}))
		assertUnsupported(t, graph.NewNode("n", "AvgPool", nil, map[string]any{"T": tensor.Float64, "ksize": []int{1, 2, 2, 1}, "strides": []int{1, 1, 1, 1}, "padding": "VALID"}))
	})
}

// TestPoolAfterConv checks that pools, LRN, batch norm and resizes take a
// convolution's NCHW output without transposing it back and forth.
func TestPoolAfterConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	f32 := tensor.Float32
	x := randTensor(rng, f32, tensor.Shape{2, 8, 7, 3}, -1, 1)
	bn := []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{4}, 0.5, 2), randTensor(rng, f32, tensor.Shape{4}, -1, 1),
		randTensor(rng, f32, tensor.Shape{4}, -1, 1), randTensor(rng, f32, tensor.Shape{4}, 0.1, 2)}
	size := tensor.MustFromSlice(tensor.Shape{2}, []int32{11, 5})
	type afterConvCase struct {
		name   string
		node   *tfpb.NodeDef
		rest   []*tensor.Tensor
		static []bool
		// transposes expected: 2 (in and out) unless set
		transposes int
	}
	cases := []afterConvCase{
		{"MaxPool", graph.NewNode("n", "MaxPool", nil, map[string]any{"T": f32, "ksize": []int{1, 3, 3, 1}, "strides": []int{1, 2, 2, 1}, "padding": "SAME"}), nil, nil, 0},
		{"AvgPool", graph.NewNode("n", "AvgPool", nil, map[string]any{"T": f32, "ksize": []int{1, 3, 3, 1}, "strides": []int{1, 2, 2, 1}, "padding": "SAME"}), nil, nil, 0},
		{"LRN", graph.NewNode("n", "LRN", nil, map[string]any{"T": f32, "depth_radius": 1, "alpha": float32(0.3), "beta": float32(0.75), "bias": float32(2)}), nil, nil, 0},
		{"FusedBatchNormV3", graph.NewNode("n", "FusedBatchNormV3", nil, map[string]any{"T": f32, "U": f32, "is_training": false, "epsilon": float32(0.001)}), bn, []bool{true, true, true, true}, 0},
		{"FusedBatchNorm", graph.NewNode("n", "FusedBatchNorm", nil, map[string]any{"T": f32, "is_training": false}), bn, []bool{false, false, false, false}, 0},
		// The NHWC side input is transposed to meet the NCHW result.
		{"_FusedBatchNormEx", graph.NewNode("n", "_FusedBatchNormEx", nil, map[string]any{"T": f32, "U": f32, "is_training": false, "num_side_inputs": 1, "activation_mode": "Relu"}),
			append(slices.Clone(bn), randTensor(rng, f32, tensor.Shape{2, 8, 7, 4}, -1, 1)), []bool{true, true, true, true, false}, 3},
		{"MaxPoolV2", graph.NewNode("n", "MaxPoolV2", nil, map[string]any{"T": f32, "padding": "VALID"}),
			[]*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{4}, []int32{1, 2, 3, 1}), tensor.MustFromSlice(tensor.Shape{4}, []int32{1, 2, 1, 1})}, []bool{true, true}, 0},
	}
	// ONNX Runtime has separate NCHW and NHWC bilinear paths.
	down := tensor.MustFromSlice(tensor.Shape{2}, []int32{3, 4})
	for _, op := range []string{"ResizeBilinear", "ResizeNearestNeighbor"} {
		for _, mode := range []string{"", "align_corners", "half_pixel_centers"} {
			for _, sz := range []*tensor.Tensor{size, down} {
				attrs := map[string]any{"T": f32}
				if mode != "" {
					attrs[mode] = true
				}
				cases = append(cases, afterConvCase{fmt.Sprintf("%s_%s_%v", op, mode, tensor.Values[int32](sz)), graph.NewNode("n", op, nil, attrs), []*tensor.Tensor{sz}, []bool{true}, 0})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl, feeds := afterConv(rng, tc.node, x, 4, tc.rest, tc.static, 1)
			g := checkCluster(t, cl, feeds, tensor.Tolerance{})
			want := tc.transposes
			if want == 0 {
				want = 2
			}
			assert.Equal(t, want, countOps(g, "Transpose"), "one transpose in, one out:\n%s", dumpGraph(g))
		})
	}
}

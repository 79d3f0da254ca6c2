package clusters

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestResizeTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	modes := []struct {
		name        string
		align, half bool
	}{{"asymmetric", false, false}, {"align", true, false}, {"half", false, true}}
	sizes := []struct{ in, out [2]int }{
		{[2]int{4, 5}, [2]int{8, 10}},  // upscale ×2
		{[2]int{5, 7}, [2]int{11, 16}}, // odd upscale
		{[2]int{9, 10}, [2]int{4, 3}},  // downscale
		{[2]int{6, 9}, [2]int{9, 6}},   // mixed
		{[2]int{14, 3}, [2]int{20, 1}}, // scales 0.7 and 3
		{[2]int{1, 4}, [2]int{3, 4}},   // one row in, same width
		{[2]int{5, 5}, [2]int{5, 5}},   // same size
	}
	var cases []opCase
	for _, op := range []string{"ResizeBilinear", "ResizeNearestNeighbor"} {
		for _, m := range modes {
			for _, sz := range sizes {
				for _, static := range []bool{true} {
					attrs := map[string]any{"T": tensor.Float32, "align_corners": m.align, "half_pixel_centers": m.half}
					cases = append(cases, opCase{name: fmt.Sprintf("%s_%s_%v_%v", op, m.name, sz.in, sz.out), node: graph.NewNode("n", op, nil, attrs),
						inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{2, sz.in[0], sz.in[1], 3}, -2, 2),
							tensor.MustFromSlice(tensor.Shape{2}, []int32{int32(sz.out[0]), int32(sz.out[1])})},
						static: []bool{false, static}})
				}
			}
		}
		for _, dt := range table[op].DTypes {
			attrs := map[string]any{"T": dt, "half_pixel_centers": true}
			tol := tolFor(dt)
			if op == "ResizeBilinear" {
				tol = tensor.Tolerance{} // the output is float
			}
			cases = append(cases, opCase{name: fmt.Sprintf("%s_%v", op, dt), node: graph.NewNode("n", op, nil, attrs),
				inputs: []*tensor.Tensor{randOf(rng, dt, tensor.Shape{1, 3, 4, 2}, -2, 2, -100, 100), tensor.MustFromSlice(tensor.Shape{2}, []int32{5, 7})},
				static: []bool{false, true}, tol: tol})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("sweep", func(t *testing.T) {
		// Many size pairs, where rounding of source coordinates matters.
		for _, op := range []string{"ResizeBilinear", "ResizeNearestNeighbor"} {
			for _, m := range modes {
				for _, in := range []int{1, 2, 3, 5, 7, 10} {
					for _, out := range []int{1, 2, 3, 4, 6, 9, 13} {
						attrs := map[string]any{"T": tensor.Float32, "align_corners": m.align, "half_pixel_centers": m.half}
						checkOp(t, opCase{name: "sweep", node: graph.NewNode("n", op, nil, attrs),
							inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{1, in, out%4 + 1, 1}, -2, 2),
								tensor.MustFromSlice(tensor.Shape{2}, []int32{int32(out), int32(in + 1)})}, static: []bool{false, true}})
					}
				}
			}
		}
	})
	t.Run("rejected", func(t *testing.T) {
		assertUnsupported(t, graph.NewNode("n", "ResizeBilinear", nil, map[string]any{"T": tensor.Float32, "align_corners": true, "half_pixel_centers": true}))
		assertUnsupported(t, graph.NewNode("n", "ResizeNearestNeighbor", nil, map[string]any{"T": tensor.Uint64}))
	})
	t.Run("size not static", func(t *testing.T) {
		assert.Equal(t, []int{1}, opdefs.StaticInputs(graph.NewNode("n", "ResizeBilinear", []string{"x", "size"}, nil)))
	})
}

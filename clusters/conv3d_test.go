package clusters

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestWindow3DTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	f32 := tensor.Float32
	// spatial5 lays out N, D, H, W, C in the data format.
	spatial5 := func(ncdhw bool, n int, d [3]int, c int) []int {
		if ncdhw {
			return []int{n, c, d[0], d[1], d[2]}
		}
		return []int{n, d[0], d[1], d[2], c}
	}
	var cases []opCase
	for _, pad := range []string{"SAME", "VALID"} {
		for _, ncdhw := range []bool{false, true} {
			df := map[bool]string{false: "NDHWC", true: "NCDHW"}[ncdhw]
			for _, v := range []struct {
				name        string
				stride, dil [3]int
				groups      int
			}{
				{"unit", [3]int{1, 1, 1}, [3]int{1, 1, 1}, 1},
				{"strided", [3]int{2, 1, 3}, [3]int{1, 1, 1}, 1},
				{"dilated", [3]int{1, 1, 1}, [3]int{2, 1, 2}, 1},
				{"grouped", [3]int{1, 2, 1}, [3]int{1, 1, 1}, 2},
			} {
				for _, static := range []bool{false, true} {
					attrs := map[string]any{"T": f32, "padding": pad, "data_format": df,
						"strides": spatial5(ncdhw, 1, v.stride, 1), "dilations": spatial5(ncdhw, 1, v.dil, 1)}
					x := randTensor(rng, f32, tensor.Shape(spatial5(ncdhw, 2, [3]int{5, 6, 7}, 4)), -2, 2)
					f := randTensor(rng, f32, tensor.Shape{2, 3, 3, 4 / v.groups, 6}, -1, 1)
					cases = append(cases, opCase{name: fmt.Sprintf("Conv3D_%s_%s_%s_static%v", pad, df, v.name, static),
						node: graph.NewNode("n", "Conv3D", nil, attrs), inputs: []*tensor.Tensor{x, f}, static: []bool{false, static}})
				}
			}
			for _, op := range []string{"MaxPool3D", "AvgPool3D"} {
				for _, w := range []struct{ k, s [3]int }{{[3]int{2, 2, 2}, [3]int{1, 1, 1}}, {[3]int{3, 2, 3}, [3]int{2, 2, 3}}} {
					attrs := map[string]any{"T": f32, "padding": pad, "data_format": df,
						"ksize": spatial5(ncdhw, 1, w.k, 1), "strides": spatial5(ncdhw, 1, w.s, 1)}
					x := randTensor(rng, f32, tensor.Shape(spatial5(ncdhw, 2, [3]int{5, 6, 7}, 3)), -2, 2)
					cases = append(cases, opCase{name: fmt.Sprintf("%s_%s_%s_k%v_s%v", op, pad, df, w.k, w.s),
						node: graph.NewNode("n", op, nil, attrs), inputs: []*tensor.Tensor{x}})
				}
			}
		}
	}
	// Every claimed dtype.
	for _, op := range []string{"Conv3D", "MaxPool3D", "AvgPool3D"} {
		for _, dt := range table[op].DTypes {
			attrs := map[string]any{"T": dt, "padding": "SAME", "strides": []int{1, 2, 1, 1, 1}}
			inputs := []*tensor.Tensor{randOf(rng, dt, tensor.Shape{1, 4, 5, 3, 2}, -2, 2, -100, 100)}
			if op == "Conv3D" {
				inputs = append(inputs, randOf(rng, dt, tensor.Shape{2, 2, 2, 2, 3}, -1, 1, -5, 5))
			} else {
				attrs["ksize"] = []int{1, 2, 3, 2, 1}
			}
			cases = append(cases, opCase{name: fmt.Sprintf("%s_%v", op, dt), node: graph.NewNode("n", op, nil, attrs), inputs: inputs, tol: tolFor(dt)})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}

	t.Run("chain stays NCDHW", func(t *testing.T) {
		var b graph.Builder
		b.Placeholder("x", f32, nil)
		b.Const("w", randTensor(rng, f32, tensor.Shape{3, 3, 3, 2, 4}, -1, 1))
		b.Add("conv", "Conv3D", []string{"x", "w"}, map[string]any{"T": f32, "strides": []int{1, 1, 1, 1, 1}, "padding": "SAME"})
		b.Add("pool", "MaxPool3D", []string{"conv"}, map[string]any{"T": f32, "ksize": []int{1, 2, 2, 2, 1}, "strides": []int{1, 2, 2, 2, 1}, "padding": "VALID"})
		b.Add("avg", "AvgPool3D", []string{"pool"}, map[string]any{"T": f32, "ksize": []int{1, 2, 2, 2, 1}, "strides": []int{1, 1, 1, 1, 1}, "padding": "SAME"})
		g := checkGraph(t, b.Graph(), map[string]*tensor.Tensor{"x": randTensor(rng, f32, tensor.Shape{2, 6, 6, 6, 2}, -1, 1)}, "avg:0")
		assert.Equal(t, 2, countOps(g, "Transpose"), "one transpose in, one out")
	})

	t.Run("rejected", func(t *testing.T) {
		assertUnsupported(t, graph.NewNode("n", "Conv3D", nil, map[string]any{"T": tensor.Float64, "strides": []int{1, 1, 1, 1, 1}, "padding": "VALID"}))
		assertUnsupported(t, graph.NewNode("n", "Conv3D", nil, map[string]any{"T": f32, "strides": []int{2, 1, 1, 1, 1}, "padding": "VALID"}))
		assertUnsupported(t, graph.NewNode("n", "AvgPool3D", nil, map[string]any{"T": tensor.Float64, "ksize": []int{1, 2, 2, 2, 1}, "strides": []int{1, 1, 1, 1, 1}, "padding": "VALID"}))
		assertUnsupported(t, graph.NewNode("n", "MaxPool3D", nil, map[string]any{"T": f32, "ksize": []int{1, 2, 2, 2, 2}, "strides": []int{1, 1, 1, 1, 1}, "padding": "VALID"}))
	})
}

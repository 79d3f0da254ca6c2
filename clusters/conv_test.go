package clusters

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestConvTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	f32 := tensor.Float32
	var cases []opCase
	for _, pad := range []string{"SAME", "VALID", "EXPLICIT"} {
		for _, stride := range []int{1, 2} {
			for _, dil := range []int{1, 2} {
				if stride > 1 && dil > 1 {
					continue // TensorFlow's CPU kernels do not combine them
				}
				for _, static := range []bool{true, false} {
					attrs := map[string]any{"T": f32, "strides": []int{1, stride, stride, 1}, "dilations": []int{1, dil, dil, 1}, "padding": pad}
					if pad == "EXPLICIT" {
						attrs["explicit_paddings"] = []int{0, 0, 1, 2, 0, 1, 0, 0}
					}
					name := fmt.Sprintf("%s_s%d_d%d_static%v", pad, stride, dil, static)
					x := randTensor(rng, f32, tensor.Shape{2, 9, 8, 3}, -1, 1)
					cases = append(cases,
						opCase{name: "Conv2D_" + name, node: graph.NewNode("n", "Conv2D", nil, attrs),
							inputs: []*tensor.Tensor{x, randTensor(rng, f32, tensor.Shape{3, 2, 3, 4}, -1, 1)}, static: []bool{false, static}},
					)
					if pad != "EXPLICIT" {
						cases = append(cases, opCase{name: "Depthwise_" + name, node: graph.NewNode("n", "DepthwiseConv2dNative", nil, attrs),
							inputs: []*tensor.Tensor{x, randTensor(rng, f32, tensor.Shape{3, 3, 3, 2}, -1, 1)}, static: []bool{false, static}})
					}
				}
			}
		}
	}
	nchw := map[string]any{"T": tensor.Float32, "strides": []int{1, 1, 2, 2}, "padding": "SAME", "data_format": "NCHW"}
	cases = append(cases, opCase{name: "Conv2D_NCHW", node: graph.NewNode("n", "Conv2D", nil, nchw),
		inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{1, 3, 7, 7}, -1, 1), randTensor(rng, tensor.Float32, tensor.Shape{3, 3, 3, 5}, -1, 1)},
		static: []bool{false, true}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

func TestFusedConvTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	f32 := tensor.Float32
	x := randTensor(rng, f32, tensor.Shape{1, 6, 6, 4}, -2, 2)
	w := randTensor(rng, f32, tensor.Shape{3, 3, 4, 5}, -1, 1)
	dw := randTensor(rng, f32, tensor.Shape{3, 3, 4, 1}, -1, 1)
	bias := randTensor(rng, f32, tensor.Shape{5}, -1, 1)
	dwBias := randTensor(rng, f32, tensor.Shape{4}, -1, 1)
	addend := randTensor(rng, f32, tensor.Shape{1, 6, 6, 5}, -1, 1)
	bn := []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{5}, 0.5, 2), randTensor(rng, f32, tensor.Shape{5}, -1, 1),
		randTensor(rng, f32, tensor.Shape{5}, -1, 1), randTensor(rng, f32, tensor.Shape{5}, 0.1, 2)}
	alpha := randTensor(rng, f32, tensor.Shape{5}, 0, 0.5)
	attrs := func(ops []string, extra map[string]any) map[string]any {
		a := map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "SAME", "fused_ops": ops, "num_args": 0}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	cases := []opCase{
		{name: "bias", node: graph.NewNode("n", "_FusedConv2D", nil, attrs([]string{"BiasAdd"}, map[string]any{"num_args": 1})),
			inputs: []*tensor.Tensor{x, w, bias}, static: []bool{false, true, true}},
		{name: "bias_relu6", node: graph.NewNode("n", "_FusedConv2D", nil, attrs([]string{"BiasAdd", "Relu6"}, map[string]any{"num_args": 1})),
			inputs: []*tensor.Tensor{x, w, bias}, static: []bool{false, true, true}},
		{name: "bias_leakyrelu", node: graph.NewNode("n", "_FusedConv2D", nil, attrs([]string{"BiasAdd", "LeakyRelu"}, map[string]any{"num_args": 1, "leakyrelu_alpha": float32(0.3)})),
			inputs: []*tensor.Tensor{x, w, bias}, static: []bool{false, true, true}},
		{name: "bias_prelu", node: graph.NewNode("n", "_FusedConv2D", nil, attrs([]string{"BiasAdd", "Prelu"}, map[string]any{"num_args": 2})),
			inputs: []*tensor.Tensor{x, w, bias, alpha}, static: []bool{false, true, true, true}},
		{name: "bias_add_relu", node: graph.NewNode("n", "_FusedConv2D", nil, attrs([]string{"BiasAdd", "Add", "Relu"}, map[string]any{"num_args": 2})),
			inputs: []*tensor.Tensor{x, w, bias, addend}, static: []bool{false, true, true, false}},
		{name: "batchnorm_relu", node: graph.NewNode("n", "_FusedConv2D", nil, attrs([]string{"FusedBatchNorm", "Relu"}, map[string]any{"num_args": 4, "epsilon": float32(0.001)})),
			inputs: append([]*tensor.Tensor{x, w}, bn...), static: []bool{false, true, true, true, true, true}},
		{name: "depthwise_bias_relu6", node: graph.NewNode("n", "FusedDepthwiseConv2dNative", nil, attrs([]string{"BiasAdd", "Relu6"}, map[string]any{"num_args": 1})),
			inputs: []*tensor.Tensor{x, dw, dwBias}, static: []bool{false, true, true}},
		{name: "matmul_bias_relu", node: graph.NewNode("n", "_FusedMatMul", nil, map[string]any{"T": f32, "fused_ops": []string{"BiasAdd", "Relu"}, "num_args": 1, "transpose_b": true}),
			inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{3, 7}, -1, 1), randTensor(rng, f32, tensor.Shape{5, 7}, -1, 1), bias}, static: []bool{false, true, true}},
		{name: "matmul_gelu", node: graph.NewNode("n", "_FusedMatMul", nil, map[string]any{"T": f32, "fused_ops": []string{"BiasAdd", "GeluExact"}, "num_args": 1}),
			inputs: []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{3, 7}, -1, 1), randTensor(rng, f32, tensor.Shape{7, 5}, -1, 1), bias}, static: []bool{false, true, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

// TestNoTransposeBetweenConvolutions checks the layout tracking: a chain of
// NHWC convolutions with activations, a residual add and a bias add keeps
// NCHW throughout, with one transpose in and one out.
func TestNoTransposeBetweenConvolutions(t *testing.T) {
	enginetest.Require(t)
	rng := rand.New(rand.NewPCG(7, 8))
	f32 := tensor.Float32
	var b graph.Builder
	b.Placeholder("x", f32, graph.ShapeAttr{1, 8, 8, 3})
	conv := map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "SAME"}
	b.Const("w1", randTensor(rng, f32, tensor.Shape{3, 3, 3, 4}, -1, 1))
	b.Const("w2", randTensor(rng, f32, tensor.Shape{3, 3, 4, 4}, -1, 1))
	b.Const("dw", randTensor(rng, f32, tensor.Shape{3, 3, 4, 1}, -1, 1))
	b.Const("bias", randTensor(rng, f32, tensor.Shape{4}, -1, 1))
	b.Add("c1", "Conv2D", []string{"x", "w1"}, conv)
	b.Add("r1", "Relu", []string{"c1"}, map[string]any{"T": f32})
	b.Add("c2", "Conv2D", []string{"r1", "w2"}, conv)
	b.Add("ba", "BiasAdd", []string{"c2", "bias"}, map[string]any{"T": f32})
	b.Add("r2", "Relu6", []string{"ba"}, map[string]any{"T": f32})
	b.Add("d", "DepthwiseConv2dNative", []string{"r2", "dw"}, conv)
	b.Add("res", "AddV2", []string{"d", "r1"}, map[string]any{"T": f32})
	b.Add("sq", "Square", []string{"res"}, map[string]any{"T": f32})
	var nodes = b.Graph().Node[1:]
	cl := &Cluster{Nodes: nodes, Inputs: []string{"x:0"}, Outputs: []string{"sq:0"}}
	r, err := newRunner(cl)
	require.NoError(t, err)
	x := randTensor(rng, f32, tensor.Shape{1, 8, 8, 3}, -1, 1)
	info, _, err := r.Infer(context.Background(), []*tensor.Tensor{x}, nil)
	require.NoError(t, err)
	m, err := Translate(cl, info)
	require.NoError(t, err)
	assert.Equal(t, 2, countOps(m.Proto.Graph, "Transpose"), "one transpose in, one out:\n%s", dumpGraph(m.Proto.Graph))
	assert.Equal(t, 3, countOps(m.Proto.Graph, "Conv"))
}

func TestConvHalf(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	attrs := map[string]any{"T": tensor.Float16, "strides": []int{1, 1, 1, 1}, "padding": "SAME"}
	checkOp(t, opCase{name: "f16", node: graph.NewNode("n", "Conv2D", nil, attrs),
		inputs: []*tensor.Tensor{randTensor(rng, tensor.Float16, tensor.Shape{1, 5, 5, 2}, -1, 1), randTensor(rng, tensor.Float16, tensor.Shape{3, 3, 2, 3}, -1, 1)},
		static: []bool{false, true}, tol: tensor.Tolerance{RTol: 1e-2, ATol: 1e-2}})
}

// TestNNTranslatorsEveryDType runs the convolution and product translators
// over every dtype their entries claim.
func TestNNTranslatorsEveryDType(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	conv := func(dt tensor.DType) map[string]any {
		return map[string]any{"T": dt, "strides": []int{1, 1, 1, 1}, "padding": "SAME"}
	}
	tol := func(dt tensor.DType) tensor.Tolerance {
		if dt == tensor.Float16 || dt == tensor.BFloat16 {
			return tensor.Tolerance{RTol: 1e-2, ATol: 1e-2}
		}
		return tensor.Tolerance{}
	}
	cases := map[string]func(dt tensor.DType) opCase{
		"Conv2D": func(dt tensor.DType) opCase {
			return opCase{node: graph.NewNode("n", "Conv2D", nil, conv(dt)), static: []bool{false, true},
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{1, 5, 5, 2}, -1, 1), randTensor(rng, dt, tensor.Shape{3, 3, 2, 3}, -1, 1)}}
		},
		"DepthwiseConv2dNative": func(dt tensor.DType) opCase {
			return opCase{node: graph.NewNode("n", "DepthwiseConv2dNative", nil, conv(dt)), static: []bool{false, true},
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{1, 5, 5, 2}, -1, 1), randTensor(rng, dt, tensor.Shape{3, 3, 2, 2}, -1, 1)}}
		},
		"_FusedConv2D": func(dt tensor.DType) opCase {
			a := conv(dt)
			a["fused_ops"], a["num_args"] = []string{"BiasAdd", "Relu"}, 1
			return opCase{node: graph.NewNode("n", "_FusedConv2D", nil, a), static: []bool{false, true, true},
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{1, 5, 5, 2}, -1, 1), randTensor(rng, dt, tensor.Shape{3, 3, 2, 3}, -1, 1), randTensor(rng, dt, tensor.Shape{3}, -1, 1)}}
		},
		"FusedDepthwiseConv2dNative": func(dt tensor.DType) opCase {
			a := conv(dt)
			a["fused_ops"], a["num_args"] = []string{"BiasAdd", "Relu6"}, 1
			return opCase{node: graph.NewNode("n", "FusedDepthwiseConv2dNative", nil, a), static: []bool{false, true, true},
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{1, 5, 5, 2}, -1, 1), randTensor(rng, dt, tensor.Shape{3, 3, 2, 1}, -1, 1), randTensor(rng, dt, tensor.Shape{2}, -1, 1)}}
		},
		"MatMul": func(dt tensor.DType) opCase {
			return opCase{node: graph.NewNode("n", "MatMul", nil, map[string]any{"T": dt, "transpose_b": true}),
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{3, 4}, -1, 1), randTensor(rng, dt, tensor.Shape{5, 4}, -1, 1)}}
		},
		"_FusedMatMul": func(dt tensor.DType) opCase {
			return opCase{node: graph.NewNode("n", "_FusedMatMul", nil, map[string]any{"T": dt, "fused_ops": []string{"BiasAdd", "Tanh"}, "num_args": 1}),
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{3, 4}, -1, 1), randTensor(rng, dt, tensor.Shape{4, 5}, -1, 1), randTensor(rng, dt, tensor.Shape{5}, -1, 1)}}
		},
		"BatchMatMulV2": func(dt tensor.DType) opCase {
			return opCase{node: graph.NewNode("n", "BatchMatMulV2", nil, map[string]any{"T": dt, "adj_y": true}),
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{2, 3, 4}, -1, 1), randTensor(rng, dt, tensor.Shape{2, 5, 4}, -1, 1)}}
		},
		"BiasAdd": func(dt tensor.DType) opCase {
			return opCase{node: graph.NewNode("n", "BiasAdd", nil, map[string]any{"T": dt}),
				inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{2, 3, 4}, -3, 3), randTensor(rng, dt, tensor.Shape{4}, -3, 3)}}
		},
	}
	for op, mk := range cases {
		for _, dt := range table[op].DTypes {
			t.Run(op+"/"+dt.String(), func(t *testing.T) {
				tc := mk(dt)
				tc.name, tc.tol = op, tol(dt)
				checkOp(t, tc)
			})
		}
	}
}

func TestConv2DBackpropInputTranslator(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	f32 := tensor.Float32
	// forwardOut is the forward convolution's output size.
	forwardOut := func(in, k, s, d int, pad string, before, after int) int {
		span := (k-1)*d + 1
		switch pad {
		case "SAME":
			return (in + s - 1) / s
		case "VALID":
			return (in-span)/s + 1
		}
		return (in+before+after-span)/s + 1
	}
	var cases []opCase
	for _, pad := range []string{"SAME", "VALID", "EXPLICIT"} {
		for _, s := range []int{1, 2, 3} {
			for _, d := range []int{1, 2} {
				if s > 1 && d > 1 {
					continue
				}
				for _, hw := range [][2]int{{7, 8}, {9, 5}, {6, 6}} {
					for _, k := range [][2]int{{3, 3}, {2, 4}, {1, 1}} {
						for _, nchw := range []bool{false, true} {
							explicit := []int{1, 0, 2, 1} // top, bottom, left, right
							oh := forwardOut(hw[0], k[0], s, d, pad, explicit[0], explicit[1])
							ow := forwardOut(hw[1], k[1], s, d, pad, explicit[2], explicit[3])
							if oh <= 0 || ow <= 0 {
								continue
							}
							cin, cout := 3, 4
							attrs := map[string]any{"T": f32, "strides": []int{1, s, s, 1}, "dilations": []int{1, d, d, 1}, "padding": pad}
							xs, dys := []int32{2, int32(hw[0]), int32(hw[1]), int32(cin)}, tensor.Shape{2, oh, ow, cout}
							if pad == "EXPLICIT" {
								attrs["explicit_paddings"] = []int{0, 0, explicit[0], explicit[1], explicit[2], explicit[3], 0, 0}
							}
							if nchw {
								attrs["data_format"] = "NCHW"
								attrs["strides"], attrs["dilations"] = []int{1, 1, s, s}, []int{1, 1, d, d}
								xs, dys = []int32{2, int32(cin), int32(hw[0]), int32(hw[1])}, tensor.Shape{2, cout, oh, ow}
								if pad == "EXPLICIT" {
									attrs["explicit_paddings"] = []int{0, 0, 0, 0, explicit[0], explicit[1], explicit[2], explicit[3]}
								}
							}
							static := (hw[0]+k[0]+s)%2 == 0
							cases = append(cases, opCase{name: fmt.Sprintf("%s_s%d_d%d_%v_k%v_nchw%v", pad, s, d, hw, k, nchw),
								node: graph.NewNode("n", "Conv2DBackpropInput", nil, attrs),
								inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{4}, xs),
									randTensor(rng, f32, tensor.Shape{k[0], k[1], cin, cout}, -1, 1), randTensor(rng, f32, dys, -1, 1)},
								static: []bool{true, static, false}})
						}
					}
				}
			}
		}
	}
	// Each dtype.
	for _, dt := range table["Conv2DBackpropInput"].DTypes {
		cases = append(cases, opCase{name: dt.String(), node: graph.NewNode("n", "Conv2DBackpropInput", nil, map[string]any{"T": dt, "strides": []int{1, 2, 2, 1}, "padding": "SAME"}),
			inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{4}, []int32{1, 6, 5, 2}), randOf(rng, dt, tensor.Shape{3, 3, 2, 3}, -1, 1, 0, 0), randOf(rng, dt, tensor.Shape{1, 3, 3, 3}, -1, 1, 0, 0)},
			static: []bool{true, true, false}, tol: tolFor(dt)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("after_conv", func(t *testing.T) {
		// The gradient's input comes out of a convolution, stored NCHW.
		x := randTensor(rng, f32, tensor.Shape{1, 4, 4, 2}, -1, 1)
		node := graph.NewNode("n", "Conv2DBackpropInput", nil, map[string]any{"T": f32, "strides": []int{1, 2, 2, 1}, "padding": "SAME"})
		// afterConv puts the convolution first; feed it as out_backprop by
		// reordering the node's inputs after building.
		cl, feeds := afterConv(rng, node, x, 5, []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{4}, []int32{1, 8, 7, 3}), randTensor(rng, f32, tensor.Shape{3, 3, 3, 5}, -1, 1)}, []bool{true, true}, 1)
		op := cl.Nodes[len(cl.Nodes)-1]
		op.Input = []string{op.Input[1], op.Input[2], op.Input[0]}
		g := checkCluster(t, cl, feeds, tensor.Tolerance{})
		assert.Equal(t, 2, countOps(g, "Transpose"), "one transpose in, one out:\n%s", dumpGraph(g))
	})
	assertUnsupported(t, graph.NewNode("n", "Conv2DBackpropInput", nil, map[string]any{"T": tensor.Float64, "strides": []int{1, 1, 1, 1}, "padding": "SAME"}))
	assert.Equal(t, []int{0}, opdefs.StaticInputs(graph.NewNode("n", "Conv2DBackpropInput", []string{"s", "f", "dy"}, nil)))
}

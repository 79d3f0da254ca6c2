package clusters

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

// ties returns values of dt drawn from a few levels, so that rows hold
// equal extrema.
func ties(rng *rand.Rand, dt tensor.DType, shape tensor.Shape) *tensor.Tensor {
	if dt == tensor.Bool {
		return randOf(rng, dt, shape, 0, 0, 0, 0)
	}
	vals := make([]float64, shape.NumElements())
	for i := range vals {
		vals[i] = float64(rng.IntN(4))
		if !dt.IsUnsigned() {
			vals[i] -= 2
		}
		if dt.IsFloat() {
			vals[i] /= 2
		}
	}
	return floatsOf(dt, shape, vals)
}

func TestReduceTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	axesVariants := [][]int32{{1}, {-1}, {0, 2}, {}, {2, 0, 1}}
	var cases []opCase
	for _, op := range []string{"Sum", "Prod", "Max", "Min", "Mean", "All", "Any"} {
		for _, dt := range table[op].DTypes {
			for vi, axes := range axesVariants {
				for _, keep := range []bool{false, true} {
					if dt != tensor.Float32 && dt != tensor.Bool && vi > 1 {
						continue // every variant on float32, two on the other types
					}
					lo, hi, ilo, ihi := -2.0, 2.0, -40.0, 40.0
					if op == "Prod" {
						lo, hi, ilo, ihi = 0.5, 1.5, -3, 3
					}
					x := randOf(rng, dt, tensor.Shape{2, 3, 4}, lo, hi, ilo, ihi)
					attrs := map[string]any{"T": dt, "Tidx": tensor.Int32, "keep_dims": keep}
					cases = append(cases, opCase{name: fmt.Sprintf("%s_%v_%v_keep%v", op, dt, axes, keep), node: graph.NewNode("n", op, nil, attrs),
						inputs: []*tensor.Tensor{x, tensor.MustFromSlice(tensor.Shape{len(axes)}, axes)}, static: []bool{false, true}, tol: tolFor(dt)})
				}
			}
		}
	}
	// A scalar axis, int64 indices, and wrapping integer sums and means.
	cases = append(cases,
		opCase{name: "scalar_axis", node: graph.NewNode("n", "Sum", nil, map[string]any{"T": tensor.Float32, "Tidx": tensor.Int64}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{3, 5}, -1, 1), tensor.Scalar[int64](-1)}, static: []bool{false, true}},
		opCase{name: "int8_wraps", node: graph.NewNode("n", "Sum", nil, map[string]any{"T": tensor.Int8, "Tidx": tensor.Int32}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Int8, tensor.Shape{4, 50}, 60, 127), tensor.Scalar[int32](1)}, static: []bool{false, true}},
		opCase{name: "uint8_mean_large", node: graph.NewNode("n", "Mean", nil, map[string]any{"T": tensor.Uint8, "Tidx": tensor.Int32}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Uint8, tensor.Shape{4, 50}, 100, 255), tensor.Scalar[int32](1)}, static: []bool{false, true}},
		opCase{name: "int32_mean_negative", node: graph.NewNode("n", "Mean", nil, map[string]any{"T": tensor.Int32, "Tidx": tensor.Int32}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Int32, tensor.Shape{4, 7}, -100, 20), tensor.Scalar[int32](1)}, static: []bool{false, true}},
		opCase{name: "half_mean_long", node: graph.NewNode("n", "Mean", nil, map[string]any{"T": tensor.Float16, "Tidx": tensor.Int32}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Float16, tensor.Shape{2, 2049}, 0, 1), tensor.Scalar[int32](1)}, static: []bool{false, true}, tol: tolFor(tensor.Float16)},
	)
	// ONNX Runtime's integer ReduceSum saturates; TensorFlow's wraps.
	big := func(dt tensor.DType, vals ...float64) *tensor.Tensor {
		return floatsOf(dt, tensor.Shape{2, len(vals) / 2}, vals)
	}
	for _, tc := range []struct {
		name string
		x    *tensor.Tensor
	}{
		{"int32", big(tensor.Int32, 1<<30, 1<<30, 1<<30, -(1 << 31), -(1 << 31), 5)},
		{"uint32", big(tensor.Uint32, 1<<31, 1<<31, 1<<31, 7, 1<<32-1, 1)},
		{"int64", big(tensor.Int64, 1<<62, 1<<62, 1<<62, -(1 << 63), -(1 << 63), -3)},
		{"uint64", big(tensor.Uint64, 1<<63, 1<<62, 1<<63, 12345, 1<<64-2048, 1<<62)},
	} {
		for _, op := range []string{"Sum", "Mean"} {
			cases = append(cases, opCase{name: op + "_wraps_" + tc.name, node: graph.NewNode("n", op, nil, map[string]any{"T": tc.x.DType(), "Tidx": tensor.Int32}),
				inputs: []*tensor.Tensor{tc.x, tensor.Scalar[int32](1)}, static: []bool{false, true}})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("rejected", func(t *testing.T) {
		assertUnsupported(t, graph.NewNode("n", "Sum", nil, map[string]any{"T": tensor.Complex64}))
		assertUnsupported(t, graph.NewNode("n", "Max", nil, map[string]any{"T": tensor.Uint64}))
		assertUnsupported(t, graph.NewNode("n", "Prod", nil, map[string]any{"T": tensor.Int32})) // ONNX Runtime saturates
		assertUnsupported(t, graph.NewNode("n", "Mean", nil, map[string]any{"T": tensor.Complex128}))
		assertUnsupported(t, graph.NewNode("n", "All", nil, map[string]any{"T": tensor.Int32}))
		assert.Equal(t, []int{1}, opdefs.StaticInputs(graph.NewNode("n", "Mean", []string{"x", "axes"}, nil)))
	})
}

// TestReduceAfterConv checks reductions of a convolution's NCHW output:
// the axes are mapped through the layout, so no transpose comes before
// the reduction, and the reduced result needs none after it when it is
// back in TF order (a global average pool).
func TestReduceAfterConv(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	f32 := tensor.Float32
	x := randTensor(rng, f32, tensor.Shape{2, 5, 6, 3}, -1, 1)
	cases := []struct {
		name       string
		node       *tfpb.NodeDef
		rest       []*tensor.Tensor
		static     []bool
		nOut       int
		transposes int
	}{
		{"Mean_HW", graph.NewNode("n", "Mean", nil, map[string]any{"T": f32, "Tidx": tensor.Int32}), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2}, []int32{1, 2})}, []bool{true}, 1, 1},
		{"Mean_HW_keep", graph.NewNode("n", "Mean", nil, map[string]any{"T": f32, "Tidx": tensor.Int32, "keep_dims": true}), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2}, []int32{1, 2})}, []bool{true}, 1, 2},
		{"Sum_C", graph.NewNode("n", "Sum", nil, map[string]any{"T": f32, "Tidx": tensor.Int32}), []*tensor.Tensor{tensor.Scalar[int32](-1)}, []bool{true}, 1, 1},
		{"Max_NW", graph.NewNode("n", "Max", nil, map[string]any{"T": f32, "Tidx": tensor.Int32}), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2}, []int32{0, 2})}, []bool{true}, 1, 2},
		{"ArgMax_C", graph.NewNode("n", "ArgMax", nil, map[string]any{"T": f32, "Tidx": tensor.Int32}), []*tensor.Tensor{tensor.Scalar[int32](3)}, []bool{true}, 1, 1},
		{"ArgMin_H", graph.NewNode("n", "ArgMin", nil, map[string]any{"T": f32, "Tidx": tensor.Int32, "output_type": tensor.Int32}), []*tensor.Tensor{tensor.Scalar[int32](1)}, []bool{true}, 1, 2},
		{"Min_H", graph.NewNode("n", "Min", nil, map[string]any{"T": f32, "Tidx": tensor.Int32, "keep_dims": true}), []*tensor.Tensor{tensor.Scalar[int32](1)}, []bool{true}, 1, 2},
		{"Prod_NHWC", graph.NewNode("n", "Prod", nil, map[string]any{"T": f32, "Tidx": tensor.Int32}), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{3}, []int32{0, 1, 2})}, []bool{true}, 1, 1},
		{"Sum_none", graph.NewNode("n", "Sum", nil, map[string]any{"T": f32, "Tidx": tensor.Int32}), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{0}, []int32{})}, []bool{true}, 1, 2},
		{"Softmax", graph.NewNode("n", "Softmax", nil, map[string]any{"T": f32}), nil, nil, 1, 2},
		{"LogSoftmax", graph.NewNode("n", "LogSoftmax", nil, map[string]any{"T": f32}), nil, nil, 1, 2},
		{"TopKV2", graph.NewNode("n", "TopKV2", nil, map[string]any{"T": f32}), []*tensor.Tensor{tensor.Scalar[int32](3)}, []bool{false}, 2, 3},
		{"TopK", graph.NewNode("n", "TopK", nil, map[string]any{"T": f32, "k": 2}), nil, nil, 2, 3},
		{"FloorMod", graph.NewNode("n", "FloorMod", nil, map[string]any{"T": f32}), []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{4}, 0.3, 1)}, []bool{true}, 1, 2},
		{"Atan2", graph.NewNode("n", "Atan2", nil, map[string]any{"T": f32}), []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{6, 4}, -1, 1)}, []bool{false}, 1, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl, feeds := afterConv(rng, tc.node, x, 4, tc.rest, tc.static, tc.nOut)
			g := checkCluster(t, cl, feeds, tensor.Tolerance{})
			assert.Equal(t, tc.transposes, countOps(g, "Transpose"), dumpGraph(g))
		})
	}
}

func TestArgExtremumTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	var cases []opCase
	for _, op := range []string{"ArgMax", "ArgMin"} {
		for _, dt := range table[op].DTypes {
			for _, axis := range []int32{0, -1, 1} {
				for _, ot := range []tensor.DType{tensor.Int64, tensor.Int32} {
					if dt != tensor.Float32 && (axis == 1 || ot == tensor.Int32) {
						continue
					}
					attrs := map[string]any{"T": dt, "Tidx": tensor.Int32, "output_type": ot}
					cases = append(cases, opCase{name: fmt.Sprintf("%s_%v_axis%d_%v", op, dt, axis, ot), node: graph.NewNode("n", op, nil, attrs),
						inputs: []*tensor.Tensor{ties(rng, dt, tensor.Shape{5, 6, 3}), tensor.Scalar[int32](axis)}, static: []bool{false, true}})
				}
			}
		}
	}
	cases = append(cases, opCase{name: "ArgMax_int16_output", node: graph.NewNode("n", "ArgMax", nil, map[string]any{"T": tensor.Float32, "Tidx": tensor.Int64, "output_type": tensor.Int16}),
		inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{4, 9}, -1, 1), tensor.Scalar[int64](1)}, static: []bool{false, true}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	assertUnsupported(t, graph.NewNode("n", "ArgMax", nil, map[string]any{"T": tensor.Uint64}))
	assertUnsupported(t, graph.NewNode("n", "ArgMin", nil, map[string]any{"T": tensor.Complex64}))
}

func TestTopKTranslators(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	var cases []opCase
	for _, dt := range table["TopKV2"].DTypes {
		for _, static := range []bool{true, false} {
			for _, k := range []int32{1, 4, 7} {
				if dt != tensor.Float32 && k == 4 {
					continue
				}
				cases = append(cases, opCase{name: fmt.Sprintf("%v_k%d_static%v", dt, k, static), node: graph.NewNode("n", "TopKV2", nil, map[string]any{"T": dt}),
					inputs: []*tensor.Tensor{ties(rng, dt, tensor.Shape{3, 2, 7}), tensor.Scalar[int32](k)}, static: []bool{false, static}, nOut: 2})
			}
		}
	}
	cases = append(cases,
		opCase{name: "int64_k_and_index", node: graph.NewNode("n", "TopKV2", nil, map[string]any{"T": tensor.Float32, "Tk": tensor.Int64, "index_type": tensor.Int64}),
			inputs: []*tensor.Tensor{randTensor(rng, tensor.Float32, tensor.Shape{4, 10}, -1, 1), tensor.Scalar[int64](3)}, static: []bool{false, false}, nOut: 2},
		opCase{name: "rank1", node: graph.NewNode("n", "TopKV2", nil, map[string]any{"T": tensor.Int32}),
			inputs: []*tensor.Tensor{ties(rng, tensor.Int32, tensor.Shape{9}), tensor.Scalar[int32](5)}, static: []bool{false, true}, nOut: 2},
		opCase{name: "TopK_v1", node: graph.NewNode("n", "TopK", nil, map[string]any{"T": tensor.Float32, "k": 2}),
			inputs: []*tensor.Tensor{ties(rng, tensor.Float32, tensor.Shape{3, 6})}, nOut: 2},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	assertUnsupported(t, graph.NewNode("n", "TopKV2", nil, map[string]any{"T": tensor.Float32, "sorted": false}))
	assertUnsupported(t, graph.NewNode("n", "TopKV2", nil, map[string]any{"T": tensor.Uint64}))
	assert.Empty(t, opdefs.StaticInputs(graph.NewNode("n", "TopKV2", []string{"x", "k"}, nil)), "k is a runtime input")
}

// TestNaNAndInfinities checks TensorFlow's handling of NaN and infinities
// where ONNX Runtime's differs: Max and Min propagate NaN; ArgMax and
// ArgMin never pick NaN, an infinity of the wrong side, or the lowest
// (highest) finite value over index 0; MaxPool skips NaN and never goes
// below the lowest finite value.
func TestNaNAndInfinities(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	rows := []float64{
		nan, 1, 2, 3,
		1, nan, 2, 3,
		1, 2, 3, nan,
		5, nan, nan, -1,
		-inf, -math.MaxFloat32, -inf, -math.MaxFloat32,
		inf, math.MaxFloat32, nan, inf,
		-inf, -inf, -inf, -inf,
		nan, nan, nan, nan,
	}
	var cases []opCase
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64, tensor.Float16} {
		vals := rows
		if dt == tensor.Float16 {
			vals = make([]float64, len(rows))
			for i, v := range rows {
				vals[i] = math.Max(math.Min(v, 65504), -65504)
				if math.IsInf(v, 0) {
					vals[i] = v
				}
			}
		}
		x := floatsOf(dt, tensor.Shape{8, 4}, vals)
		for _, op := range []string{"Max", "Min", "ArgMax", "ArgMin"} {
			for _, axis := range []int32{0, 1} {
				cases = append(cases, opCase{name: fmt.Sprintf("%s_%v_axis%d", op, dt, axis), node: graph.NewNode("n", op, nil, map[string]any{"T": dt}),
					inputs: []*tensor.Tensor{x, tensor.Scalar[int32](axis)}, static: []bool{false, true}})
			}
		}
		x4, err := x.Reshape(tensor.Shape{1, 8, 4, 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []int{2, 4} {
			cases = append(cases, opCase{name: fmt.Sprintf("MaxPool_%v_k%d", dt, k), node: graph.NewNode("n", "MaxPool", nil, map[string]any{"T": dt, "ksize": []int{1, k, k, 1}, "strides": []int{1, 1, 1, 1}, "padding": "SAME"}),
				inputs: []*tensor.Tensor{x4}})
		}
		cases = append(cases, opCase{name: fmt.Sprintf("Softmax_%v", dt), node: graph.NewNode("n", "Softmax", nil, map[string]any{"T": dt}), inputs: []*tensor.Tensor{x}, tol: tolFor(dt)})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
}

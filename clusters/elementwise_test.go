package clusters

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// domain gives the input range an op is defined on.
var domain = map[string][2]float64{
	"Log": {0.1, 5}, "Sqrt": {0.1, 5}, "Rsqrt": {0.1, 5}, "Reciprocal": {0.5, 3}, "Inv": {0.5, 3},
	"Asin": {-0.9, 0.9}, "Acos": {-0.9, 0.9}, "Atanh": {-0.9, 0.9}, "Acosh": {1.1, 4}, "Pow": {0.5, 2},
	"RealDiv": {0.5, 3}, "Div": {0.5, 3}, "FloorDiv": {0.5, 3}, "Exp": {-3, 3}, "Sinh": {-3, 3}, "Cosh": {-3, 3},
	"Tan": {-1.2, 1.2},
}

func inputFor(rng *rand.Rand, op string, dt tensor.DType, shape tensor.Shape) *tensor.Tensor {
	if dt == tensor.Bool {
		vals := make([]bool, shape.NumElements())
		for i := range vals {
			vals[i] = rng.IntN(2) == 1
		}
		return tensor.MustFromSlice(shape, vals)
	}
	r, ok := domain[op]
	if !ok {
		r = [2]float64{-3, 3}
	}
	if dt.IsUnsigned() {
		r = [2]float64{max(r[0], 0), max(r[1], 4)}
	}
	if dt.IsInteger() {
		r = [2]float64{r[0] - 1, r[1] + 2}
	}
	return randTensor(rng, dt, shape, r[0], r[1])
}

// TestElementwiseTranslatorsEveryDType checks every plumbing, unary and
// binary translator (plumbing.go, elementwise*.go) over every dtype its
// entry claims, against the executor, with broadcasting for the binary
// ones.
func TestElementwiseTranslatorsEveryDType(t *testing.T) {
	enginetest.Require(t)
	unary := []string{"Neg", "Abs", "Sign", "Exp", "Log", "Sqrt", "Reciprocal", "Inv", "Floor", "Ceil", "Round", "Rint",
		"Erf", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Tanh", "Sigmoid",
		"Relu", "Elu", "Softplus", "Softsign", "LogicalNot", "IsNan", "IsInf", "Selu", "LeakyRelu", "Relu6", "Rsqrt",
		"Square", "IsFinite", "Identity", "StopGradient", "Snapshot"}
	binary := []string{"Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "Maximum", "Minimum", "Pow", "Equal", "NotEqual",
		"Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "SquaredDifference", "FloorDiv", "Prelu"}
	rng := rand.New(rand.NewPCG(11, 12))
	run := func(op string, nIn int, shapes []tensor.Shape) {
		e := table[op]
		dtypes := e.DTypes
		if dtypes == nil {
			dtypes = []tensor.DType{tensor.Float32}
			if op == "LogicalNot" || op == "LogicalAnd" || op == "LogicalOr" {
				dtypes = []tensor.DType{tensor.Bool}
			}
		}
		for _, dt := range dtypes {
			if dt.IsInteger() && slices.Contains([]string{"Div", "FloorDiv"}, op) {
				continue // integer division: TestIntegerDivision
			}
			t.Run(fmt.Sprintf("%s/%v", op, dt), func(t *testing.T) {
				var in []*tensor.Tensor
				for k := 0; k < nIn; k++ {
					in = append(in, inputFor(rng, op, dt, shapes[k]))
				}
				checkOp(t, opCase{name: op, node: graph.NewNode("n", op, nil, map[string]any{"T": dt}), inputs: in, tol: tolFor(dt)})
			})
		}
	}
	for _, op := range unary {
		run(op, 1, []tensor.Shape{{2, 3, 4}})
	}
	for _, op := range binary {
		run(op, 2, []tensor.Shape{{2, 3, 4}, {3, 1}}) // broadcasting
	}
	run("AddN", 3, []tensor.Shape{{2, 3}, {2, 3}, {2, 3}})
	run("AccumulateNV2", 3, []tensor.Shape{{2, 3}, {2, 3}, {2, 3}})
	require.NotEmpty(t, table["SelectV2"].DTypes)
	for _, dt := range table["SelectV2"].DTypes {
		t.Run(fmt.Sprintf("SelectV2/%v", dt), func(t *testing.T) {
			checkOp(t, opCase{name: "SelectV2", node: graph.NewNode("n", "SelectV2", nil, map[string]any{"T": dt}), inputs: []*tensor.Tensor{
				inputFor(rng, "", tensor.Bool, tensor.Shape{3, 1}), valuesOf(rng, dt, tensor.Shape{3, 4}), valuesOf(rng, dt, tensor.Shape{4})}})
			checkOp(t, opCase{name: "Select", node: graph.NewNode("n", "Select", nil, map[string]any{"T": dt}), inputs: []*tensor.Tensor{
				inputFor(rng, "", tensor.Bool, tensor.Shape{3, 4}), valuesOf(rng, dt, tensor.Shape{3, 4}), valuesOf(rng, dt, tensor.Shape{3, 4})}})
		})
	}
	for _, dt := range table["ClipByValue"].DTypes {
		t.Run(fmt.Sprintf("ClipByValue/%v", dt), func(t *testing.T) {
			lo, hi := tensor.Scalar(float64(-1)), tensor.Scalar(float64(1))
			l, _ := tensor.FromFloat64s(dt, tensor.Shape{}, []float64{tensor.Values[float64](lo)[0]})
			h, _ := tensor.FromFloat64s(dt, tensor.Shape{}, []float64{tensor.Values[float64](hi)[0]})
			checkOp(t, opCase{name: "ClipByValue", node: graph.NewNode("n", "ClipByValue", nil, map[string]any{"T": dt}),
				inputs: []*tensor.Tensor{inputFor(rng, "", dt, tensor.Shape{3, 4}), l, h}, tol: tolFor(dt)})
		})
	}
	casts := []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64, tensor.Uint8, tensor.Bool, tensor.Float16}
	for _, src := range casts {
		for _, dst := range casts {
			if !slices.Contains(table["Cast"].DTypes, dst) {
				continue
			}
			t.Run(fmt.Sprintf("Cast/%v-%v", src, dst), func(t *testing.T) {
				x := inputFor(rng, "", src, tensor.Shape{2, 5})
				checkOp(t, opCase{name: "Cast", node: graph.NewNode("n", "Cast", nil, map[string]any{"SrcT": src, "DstT": dst}),
					inputs: []*tensor.Tensor{x}, tol: tolFor(dst)})
			})
		}
	}
}

// valuesOf is inputFor for any dtype, strings included.
func valuesOf(rng *rand.Rand, dt tensor.DType, shape tensor.Shape) *tensor.Tensor {
	if dt == tensor.String {
		vals := make([]string, shape.NumElements())
		for i := range vals {
			vals[i] = fmt.Sprint("s", rng.IntN(100))
		}
		return tensor.MustFromSlice(shape, vals)
	}
	return inputFor(rng, "", dt, shape)
}

// TestElementwiseKeepsLayout checks that an elementwise chain after a
// convolution stays in NCHW: constants are re-laid out, not transposed at
// run time.
func TestElementwiseKeepsLayout(t *testing.T) {
	enginetest.Require(t)
	g := func(ops ...string) int {
		rng := rand.New(rand.NewPCG(3, 3))
		var b graph.Builder
		f32 := tensor.Float32
		b.Placeholder("x", f32, graph.ShapeAttr{1, 5, 5, 2})
		b.Const("w", randTensor(rng, f32, tensor.Shape{3, 3, 2, 4}, -1, 1))
		b.Const("k", randTensor(rng, f32, tensor.Shape{4}, -1, 1))
		b.Add("c", "Conv2D", []string{"x", "w"}, map[string]any{"T": f32, "strides": []int{1, 1, 1, 1}, "padding": "SAME"})
		prev := "c"
		for i, op := range ops {
			name := fmt.Sprintf("op%d", i)
			switch op {
			case "Mul", "Maximum", "SquaredDifference":
				b.Add(name, op, []string{prev, "k"}, map[string]any{"T": f32})
			default:
				b.Add(name, op, []string{prev}, map[string]any{"T": f32})
			}
			prev = name
		}
		cl := &Cluster{Nodes: b.Graph().Node[1:], Inputs: []string{"x:0"}, Outputs: []string{prev + ":0"}}
		return countOps(checkCluster(t, cl, []*tensor.Tensor{randTensor(rng, f32, tensor.Shape{1, 5, 5, 2}, -1, 1)}, tensor.Tolerance{}), "Transpose")
	}
	assert.Equal(t, 2, g("Relu6", "Mul", "Sigmoid", "Maximum", "SquaredDifference", "Rsqrt", "Square"))
}

func TestAtan2Translator(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	var cases []opCase
	for _, dt := range table["Atan2"].DTypes {
		cases = append(cases, opCase{name: dt.String(), node: graph.NewNode("n", "Atan2", nil, map[string]any{"T": dt}),
			inputs: []*tensor.Tensor{randTensor(rng, dt, tensor.Shape{4, 6}, -3, 3), randTensor(rng, dt, tensor.Shape{6}, -3, 3)}, tol: tolFor(dt)})
	}
	// Every quadrant and axis, signed zeros, infinities and NaN, each y
	// against each x.
	inf, nan, negZero := math.Inf(1), math.NaN(), math.Copysign(0, -1)
	special := []float64{0, negZero, 1, -1, 2.5, -1e-20, 1e20, inf, -inf, nan}
	var ys, xs []float64
	for _, y := range special {
		for _, x := range special {
			ys, xs = append(ys, y), append(xs, x)
		}
	}
	cases = append(cases, opCase{name: "special", node: graph.NewNode("n", "Atan2", nil, map[string]any{"T": tensor.Float32}),
		inputs: []*tensor.Tensor{floatsOf(tensor.Float32, tensor.Shape{len(ys)}, ys), floatsOf(tensor.Float32, tensor.Shape{len(xs)}, xs)}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("signed_zero_results", func(t *testing.T) {
		// Compare treats −0 and +0 as equal; check the signs directly.
		nz := float32(negZero)
		got := runSingle(t, opCase{name: "zeros", node: graph.NewNode("n", "Atan2", nil, map[string]any{"T": tensor.Float32}),
			inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{6}, []float32{0, 0, nz, nz, nz, nz}),
				tensor.MustFromSlice(tensor.Shape{6}, []float32{1, float32(inf), 1, 0, float32(inf), 1e-3})}})
		for i, v := range tensor.Values[float32](got) {
			assert.Equal(t, i >= 2, math.Signbit(float64(v)), "element %d: %v", i, v)
			assert.Zero(t, v, "element %d", i)
		}
	})
	assertUnsupported(t, graph.NewNode("n", "Atan2", nil, map[string]any{"T": tensor.Float64}))
}

// TestPreluAfterConvolution: Keras PReLU after a convolution, as
// TensorFlow.js writes it (alpha [1, 1, C]), on the NCHW value the
// convolution leaves; and an alpha broadcast beyond x stays on the
// executor.
func TestPreluAfterConvolution(t *testing.T) {
	enginetest.Require(t)
	rng := rand.New(rand.NewPCG(31, 32))
	f32 := tensor.Float32
	x := randTensor(rng, f32, tensor.Shape{2, 5, 6, 3}, -1, 1)
	alpha := randTensor(rng, f32, tensor.Shape{1, 1, 4}, 0, 0.5)
	node := graph.NewNode("n", "Prelu", nil, map[string]any{"T": f32})
	for _, static := range []bool{true, false} {
		cl, feeds := afterConv(rng, node, x, 4, []*tensor.Tensor{alpha}, []bool{static}, 1)
		g := checkCluster(t, cl, feeds, tensor.Tolerance{})
		assert.Equal(t, 1, countOps(g, "PRelu"))
	}

	big := singleNodeClusterFor(t, node, randTensor(rng, f32, tensor.Shape{4}, -1, 1), randTensor(rng, f32, tensor.Shape{3, 4}, 0, 1))
	var te *TranslateError
	require.ErrorAs(t, big, &te, "alpha broadcast beyond x")
	assert.ErrorIs(t, big, ErrUntranslatable)
}

// singleNodeClusterFor translates node on the given inputs and returns
// the translation's error.
func singleNodeClusterFor(t *testing.T, node *tfpb.NodeDef, in ...*tensor.Tensor) error {
	t.Helper()
	cl, feeds, _ := singleNodeCluster(opCase{name: "n", node: node, inputs: in})
	r, err := newRunner(cl)
	require.NoError(t, err)
	info, _, err := r.Infer(context.Background(), feeds, nil)
	require.NoError(t, err)
	_, err = Translate(cl, info)
	return err
}

// TestUniformConstantsBecomeScalars: a constant operand whose elements are
// all equal and whose shape broadcasting adds nothing ([1,1,1,3] against
// [1,4,4,3]: an image model's normalization) is emitted as a scalar,
// which ONNX Runtime broadcasts with its vectorized loops; constants that
// differ, or whose shape widens the result, stay as they are. The
// translations agree with the executor.
func TestUniformConstantsBecomeScalars(t *testing.T) {
	enginetest.Require(t)
	rng := rand.New(rand.NewPCG(5, 5))
	f32 := tensor.Float32
	uniform := func(v float32) *tensor.Tensor {
		return tensor.MustFromSlice(tensor.Shape{1, 1, 1, 3}, []float32{v, v, v})
	}
	var b graph.Builder
	b.Placeholder("x", f32, graph.ShapeAttr{1, 4, 4, 3})
	b.Placeholder("g", f32, graph.ShapeAttr{1, 4, 4, 1})
	b.Const("half", uniform(0.5))
	b.Const("two", uniform(2))
	b.Const("mean", tensor.MustFromSlice(tensor.Shape{1, 1, 1, 3}, []float32{0.4, 0.5, 0.6}))
	b.Add("centred", "Sub", []string{"x", "half"}, map[string]any{"T": f32})
	b.Add("scaled", "Mul", []string{"centred", "two"}, map[string]any{"T": f32})
	b.Add("shifted", "Sub", []string{"scaled", "mean"}, map[string]any{"T": f32})
	b.Add("widened", "Mul", []string{"g", "two"}, map[string]any{"T": f32}) // [1,4,4,1] x [1,1,1,3]: the constant sets the channels
	feeds := map[string]*tensor.Tensor{
		"x": randTensor(rng, f32, tensor.Shape{1, 4, 4, 3}, 0, 1),
		"g": randTensor(rng, f32, tensor.Shape{1, 4, 4, 1}, 0, 1),
	}
	g := checkGraph(t, b.Graph(), feeds, "shifted:0", "widened:0")
	used := map[string]bool{}
	for _, n := range g.GetNode() {
		for _, in := range n.GetInput() {
			used[in] = true
		}
	}
	ranks := map[int]int{}
	for _, init := range g.GetInitializer() {
		if used[init.GetName()] {
			ranks[len(init.GetDims())]++
		}
	}
	assert.Equal(t, map[int]int{0: 2, 4: 2}, ranks, "0.5 and 2 as scalars; the per-channel mean and the widening 2 as they were")
}

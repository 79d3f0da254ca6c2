package clusters

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/opdefs"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestIntegerDivision checks the integer division family against the
// executor on every sign combination, with the divisor compiled in, and
// that a divisor of 0 or -1 (which would fault ONNX Runtime) is refused
// at translation.
func TestIntegerDivision(t *testing.T) {
	enginetest.Require(t)
	for _, op := range []string{"Div", "TruncateDiv", "FloorDiv", "FloorMod", "Mod", "TruncateMod"} {
		for _, dt := range []tensor.DType{tensor.Int32, tensor.Int64} {
			t.Run(op+"/"+dt.String(), func(t *testing.T) {
				a, _ := tensor.FromFloat64s(dt, tensor.Shape{2, 6}, []float64{7, -7, 7, -7, 0, 13, 6, -6, 1, -1, 100, -100})
				b, _ := tensor.FromFloat64s(dt, tensor.Shape{6}, []float64{2, 2, -2, -2, 3, -5})
				node := graph.NewNode("n", op, nil, map[string]any{"T": dt})
				assert.Equal(t, []int{1}, opdefs.StaticInputs(graph.NewNode("n", op, []string{"a", "b"}, map[string]any{"T": dt})))
				checkOp(t, opCase{name: op, node: node, inputs: []*tensor.Tensor{a, b}, static: []bool{false, true}})
			})
		}
	}
	for _, bad := range []float64{0, -1} {
		b, _ := tensor.FromFloat64s(tensor.Int32, tensor.Shape{2}, []float64{3, bad})
		cl, feeds, _ := singleNodeCluster(opCase{name: "div", node: graph.NewNode("n", "FloorDiv", nil, map[string]any{"T": tensor.Int32}),
			inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{2}, []int32{5, 6}), b}, static: []bool{false, true}})
		r, err := newRunner(cl)
		require.NoError(t, err)
		info, _, err := r.Infer(context.Background(), feeds, nil)
		if err != nil {
			continue // the executor itself rejects division by zero
		}
		_, err = Translate(cl, info)
		assert.ErrorIs(t, err, ErrUntranslatable, "divisor %v", bad)
	}
	assert.Empty(t, opdefs.StaticInputs(graph.NewNode("n", "FloorDiv", []string{"a", "b"}, map[string]any{"T": tensor.Float32})),
		"float divisors need not be static")
}

func TestFloorModTranslator(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	var cases []opCase
	signed := func(dt tensor.DType, shape tensor.Shape, lo, hi float64) *tensor.Tensor {
		v := make([]float64, shape.NumElements())
		for i := range v {
			v[i] = lo + rng.Float64()*(hi-lo)
			if rng.IntN(2) == 0 {
				v[i] = -v[i]
			}
		}
		return floatsOf(dt, shape, v)
	}
	for _, dt := range table["FloorMod"].DTypes {
		if dt.IsInteger() {
			continue // integer divisors must be static: TestIntegerDivision
		}
		for _, static := range []bool{false, true} {
			cases = append(cases,
				opCase{name: fmt.Sprintf("%v_static%v", dt, static), node: graph.NewNode("n", "FloorMod", nil, map[string]any{"T": dt}),
					inputs: []*tensor.Tensor{signed(dt, tensor.Shape{3, 8}, 0, 10), signed(dt, tensor.Shape{8}, 0.5, 3)}, static: []bool{false, static}, tol: tolFor(dt)},
				opCase{name: fmt.Sprintf("%v_scalar_divisor_static%v", dt, static), node: graph.NewNode("n", "FloorMod", nil, map[string]any{"T": dt}),
					inputs: []*tensor.Tensor{signed(dt, tensor.Shape{2, 5}, 0, 10), floatsOf(dt, tensor.Shape{}, []float64{-1.5})}, static: []bool{false, static}, tol: tolFor(dt)})
		}
	}
	// Exact multiples (a zero remainder keeps y's sign out), signed zeros,
	// infinities and NaN.
	inf, nan := math.Inf(1), math.NaN()
	xs := []float64{6, -6, 0, math.Copysign(0, -1), 5, -5, inf, 3, nan, 7, 1e-30}
	ys := []float64{3, 3, -2, 2, inf, -inf, 2, 0, 1, nan, -7}
	cases = append(cases, opCase{name: "special", node: graph.NewNode("n", "FloorMod", nil, map[string]any{"T": tensor.Float32}),
		inputs: []*tensor.Tensor{floatsOf(tensor.Float32, tensor.Shape{len(xs)}, xs), floatsOf(tensor.Float32, tensor.Shape{len(ys)}, ys)}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkOp(t, tc) })
	}
	t.Run("signed_zero_results", func(t *testing.T) {
		// A zero remainder has x's sign, as fmod's; Compare cannot tell.
		negZero := float32(math.Copysign(0, -1))
		got := runSingle(t, opCase{name: "zeros", node: graph.NewNode("n", "FloorMod", nil, map[string]any{"T": tensor.Float32}),
			inputs: []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{4}, []float32{6, -6, negZero, 0}), tensor.MustFromSlice(tensor.Shape{4}, []float32{-3, 3, 2, -2})}})
		for i, v := range tensor.Values[float32](got) {
			assert.Equal(t, i == 1 || i == 2, math.Signbit(float64(v)), "element %d: %v", i, v)
		}
	})
	// Integer FloorMod needs its divisor at translation time.
	assert.Equal(t, []int{1}, opdefs.StaticInputs(graph.NewNode("n", "FloorMod", []string{"a", "b"}, map[string]any{"T": tensor.Int32})))
}

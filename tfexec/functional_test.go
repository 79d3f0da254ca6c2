package tfexec

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/function"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// The FunctionDefs below are written as tf.function writes them: inputs
// are "node:out_arg:idx" references to the ops' output arguments.

func farg(name string, dt tensor.DType) *tfpb.OpDef_ArgDef {
	return &tfpb.OpDef_ArgDef{Name: name, Type: tfpb.DataType(dt)}
}

// fdef builds a FunctionDef from its arguments, results (ret maps each
// output to a reference) and body.
func fdef(name string, in, out []*tfpb.OpDef_ArgDef, ret map[string]string, body ...*tfpb.NodeDef) *tfpb.FunctionDef {
	return &tfpb.FunctionDef{Signature: &tfpb.OpDef{Name: name, InputArg: in, OutputArg: out}, NodeDef: body, Ret: ret}
}

func fconst[T tensor.Element](name string, v T) *tfpb.NodeDef {
	t := tensor.Scalar(v)
	return graph.NewNode(name, "Const", nil, map[string]any{"dtype": t.DType(), "value": t})
}

// binop is a two-input op over T ("x op y"), its output argument z.
func binop(name, op, x, y string, dt tensor.DType) *tfpb.NodeDef {
	return graph.NewNode(name, op, []string{x, y}, map[string]any{"T": dt})
}

func fn(name string, attrs map[string]any) graph.FuncAttr {
	return graph.FuncAttr{Name: name, Attrs: attrs}
}

// scalarFn is f(x) = x op c over int32.
func scalarFn(name, op string, c int32) *tfpb.FunctionDef {
	return fdef(name, []*tfpb.OpDef_ArgDef{farg("x", tensor.Int32)}, []*tfpb.OpDef_ArgDef{farg("y", tensor.Int32)},
		map[string]string{"y": "op:z:0"},
		fconst("c", c), binop("op", op, "x", "c:output:0", tensor.Int32))
}

func library(fs ...*tfpb.FunctionDef) *tfpb.FunctionDefLibrary {
	return &tfpb.FunctionDefLibrary{Function: fs}
}

func runFunctional(t *testing.T, g *tfpb.GraphDef, feeds map[string]*tensor.Tensor, fetch string) (*tensor.Tensor, error) {
	t.Helper()
	e, err := New(g)
	require.NoError(t, err)
	out, err := e.Run(context.Background(), feeds, []string{fetch})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// ifGraph is If(cond, x) with then_branch x*2 and else_branch x-3.
func ifGraph(cond tensor.DType) *tfpb.GraphDef {
	var b graph.Builder
	b.Add("cond", "Placeholder", nil, map[string]any{"dtype": cond})
	b.Add("x", "Placeholder", nil, map[string]any{"dtype": tensor.Int32})
	b.Add("if", "If", []string{"cond", "x"}, map[string]any{
		"Tcond": cond, "Tin": []tensor.DType{tensor.Int32}, "Tout": []tensor.DType{tensor.Int32},
		"then_branch": fn("double", nil), "else_branch": fn("minus3", nil),
	})
	g := b.Graph()
	g.Library = library(scalarFn("double", "Mul", 2), scalarFn("minus3", "Sub", 3))
	return g
}

// TestIf checks TensorFlow's truth value of If's condition: a scalar by
// its value (a string when not empty), any other tensor by whether it has
// elements, whatever they are. Then gives x*2, else x-3, for x = 7: 14
// and 4.
func TestIf(t *testing.T) {
	for _, tc := range []struct {
		name string
		cond *tensor.Tensor
		want int32
	}{
		{"true scalar", tensor.Scalar(true), 14},
		{"false scalar", tensor.Scalar(false), 4},
		{"nonzero int scalar", tensor.Scalar(int32(-5)), 14},
		{"zero int scalar", tensor.Scalar(int32(0)), 4},
		{"zero float scalar", tensor.Scalar(float32(0)), 4},
		{"nonempty string", tensor.Scalar("no"), 14},
		{"empty string", tensor.Scalar(""), 4},
		{"vector of zeros has elements", tensor.MustFromSlice(tensor.Shape{3}, []float32{0, 0, 0}), 14},
		{"vector of false has elements", tensor.MustFromSlice(tensor.Shape{1}, []bool{false}), 14},
		{"empty vector", tensor.MustFromSlice(tensor.Shape{0}, []bool{}), 4},
		{"empty matrix", tensor.MustFromSlice(tensor.Shape{2, 0}, []int32{}), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runFunctional(t, ifGraph(tc.cond.DType()), map[string]*tensor.Tensor{"cond": tc.cond, "x": tensor.Scalar(int32(7))}, "if")
			require.NoError(t, err)
			assert.Equal(t, tc.want, tensor.Values[int32](out)[0])
		})
	}
	t.Run("a scalar half is no condition", func(t *testing.T) {
		_, err := runFunctional(t, ifGraph(tensor.Float16), map[string]*tensor.Tensor{"cond": tensor.MustNew(tensor.Float16, tensor.Shape{}), "x": tensor.Scalar(int32(7))}, "if")
		require.Error(t, err)
		assert.Equal(t, `node "if" (If): condition: invalid argument: float16 cannot be converted to a boolean`, err.Error())
	})
}

// whileSum is While over (i, n, s): cond i < n, body (i+1, n, s+i+1), so
// from (0, n, 0) it ends with s = 1+2+…+n.
func whileSum(op string) *tfpb.GraphDef {
	i32 := tensor.Int32
	vars := []*tfpb.OpDef_ArgDef{farg("i", i32), farg("n", i32), farg("s", i32)}
	cond := fdef("sum_cond", vars, []*tfpb.OpDef_ArgDef{farg("more", tensor.Bool)}, map[string]string{"more": "less:z:0"},
		binop("less", "Less", "i", "n", i32))
	body := fdef("sum_body", vars, vars, map[string]string{"i": "next:z:0", "n": "n", "s": "acc:z:0"},
		fconst("one", int32(1)),
		binop("next", "AddV2", "i", "one:output:0", i32),
		binop("acc", "AddV2", "s", "next:z:0", i32))
	var b graph.Builder
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Add("n", "Placeholder", nil, map[string]any{"dtype": i32})
	b.Add("loop", op, []string{"zero", "n", "zero"}, map[string]any{
		"T": []tensor.DType{i32, i32, i32}, "cond": fn("sum_cond", nil), "body": fn("sum_body", nil),
		"parallel_iterations": 10,
	})
	g := b.Graph()
	g.Library = library(cond, body)
	return g
}

// TestWhileSum compares the loop's sum with the same sum in Go.
func TestWhileSum(t *testing.T) {
	for _, op := range []string{"While", "StatelessWhile"} {
		for _, n := range []int32{0, 1, 10, 1000} {
			t.Run(fmt.Sprintf("%s/n=%d", op, n), func(t *testing.T) {
				e, err := New(whileSum(op))
				require.NoError(t, err)
				out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"n": tensor.Scalar(n)}, []string{"loop", "loop:1", "loop:2"})
				require.NoError(t, err)
				var want int32
				for k := int32(1); k <= n; k++ {
					want += k
				}
				assert.Equal(t, n, tensor.Values[int32](out[0])[0], "the counter ends at n")
				assert.Equal(t, n, tensor.Values[int32](out[1])[0], "n passes through")
				assert.Equal(t, want, tensor.Values[int32](out[2])[0], "the sum")
			})
		}
	}
}

// factorialLoop is While over (i, acc) with an attribute T for acc's type:
// cond i <= n (n a Const of the cond function), body (i+1, acc·cast(i)),
// so from (1, 1) it ends with acc = n!. Both functions take T as an
// attribute placeholder ("$T"), bound by the While's func attributes.
func factorialLoop(n int32, dt tensor.DType) *tfpb.GraphDef {
	placeholder := &tfpb.AttrValue{Value: &tfpb.AttrValue_Placeholder{Placeholder: "T"}}
	withT := func(f *tfpb.FunctionDef) *tfpb.FunctionDef {
		f.Signature.Attr = []*tfpb.OpDef_AttrDef{{Name: "T", Type: "type"}}
		return f
	}
	vars := []*tfpb.OpDef_ArgDef{farg("i", tensor.Int32), {Name: "acc", TypeAttr: "T"}}
	cond := withT(fdef("fact_cond", vars, []*tfpb.OpDef_ArgDef{farg("more", tensor.Bool)}, map[string]string{"more": "le:z:0"},
		fconst("n", n), binop("le", "LessEqual", "i", "n:output:0", tensor.Int32)))
	body := withT(fdef("fact_body", vars, vars, map[string]string{"i": "next:z:0", "acc": "mul:z:0"},
		fconst("one", int32(1)),
		binop("next", "AddV2", "i", "one:output:0", tensor.Int32),
		graph.NewNode("cast", "Cast", []string{"i"}, map[string]any{"SrcT": tensor.Int32, "DstT": placeholder}),
		graph.NewNode("mul", "Mul", []string{"acc", "cast:y:0"}, map[string]any{"T": placeholder})))
	var b graph.Builder
	b.Const("one", tensor.Scalar(int32(1)))
	b.Const("acc0", tensor.MustNew(dt, tensor.Shape{}))
	b.Add("acc1", "AddV2", []string{"acc0", "one_t"}, map[string]any{"T": dt})
	b.Add("one_t", "Cast", []string{"one"}, map[string]any{"SrcT": tensor.Int32, "DstT": dt})
	tAttr := map[string]any{"T": dt}
	b.Add("loop", "While", []string{"one", "acc1"}, map[string]any{
		"T": []tensor.DType{tensor.Int32, dt}, "cond": fn("fact_cond", tAttr), "body": fn("fact_body", tAttr),
	})
	g := b.Graph()
	g.Library = library(cond, body)
	return g
}

// TestWhileFactorial runs one pair of functions at two types bound
// through the attribute T, compared with n! computed in Go.
func TestWhileFactorial(t *testing.T) {
	const n = 15
	want := int64(1)
	for k := int64(2); k <= n; k++ {
		want *= k
	}
	for _, dt := range []tensor.DType{tensor.Int64, tensor.Float64} {
		t.Run(dt.String(), func(t *testing.T) {
			out, err := runFunctional(t, factorialLoop(n, dt), nil, "loop:1")
			require.NoError(t, err)
			require.Equal(t, dt, out.DType())
			got, err := tensor.Float64s(out)
			require.NoError(t, err)
			assert.Equal(t, float64(want), got[0], "15! = %d, exact in both types", want)
		})
	}
}

// caseGraph is Case(index, x) over the branches x+1, x*2, x-3.
func caseGraph(op string) *tfpb.GraphDef {
	var b graph.Builder
	b.Add("index", "Placeholder", nil, map[string]any{"dtype": tensor.Int32})
	b.Add("x", "Placeholder", nil, map[string]any{"dtype": tensor.Int32})
	n := b.Add("case", op, []string{"index", "x"}, map[string]any{"Tin": []tensor.DType{tensor.Int32}, "Tout": []tensor.DType{tensor.Int32}})
	n.Attr["branches"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_List{List: &tfpb.AttrValue_ListValue{Func: []*tfpb.NameAttrList{
		{Name: "plus1"}, {Name: "double"}, {Name: "minus3"},
	}}}}
	g := b.Graph()
	g.Library = library(scalarFn("plus1", "AddV2", 1), scalarFn("double", "Mul", 2), scalarFn("minus3", "Sub", 3))
	return g
}

// TestCase checks the branch taken for each index; out of range, either
// way, takes the last branch. x = 10: 11, 20, 7.
func TestCase(t *testing.T) {
	for _, op := range []string{"Case", "StatelessCase"} {
		for _, tc := range []struct {
			index, want int32
		}{{0, 11}, {1, 20}, {2, 7}, {3, 7}, {100, 7}, {-1, 7}} {
			t.Run(fmt.Sprintf("%s/%d", op, tc.index), func(t *testing.T) {
				out, err := runFunctional(t, caseGraph(op), map[string]*tensor.Tensor{"index": tensor.Scalar(tc.index), "x": tensor.Scalar(int32(10))}, "case")
				require.NoError(t, err)
				assert.Equal(t, tc.want, tensor.Values[int32](out)[0])
			})
		}
	}
	t.Run("index must be a scalar", func(t *testing.T) {
		_, err := runFunctional(t, caseGraph("Case"), map[string]*tensor.Tensor{"index": tensor.MustFromSlice(tensor.Shape{1}, []int32{0}), "x": tensor.Scalar(int32(10))}, "case")
		assert.ErrorContains(t, err, `node "case" (Case): invalid argument: branch_index must be a scalar int32, got int32[1]`)
	})
}

// nestedCalls is outer(x) = inner(x) + 1 through StatefulPartitionedCall,
// inner(x) = double(x) * 3 with double called directly (its name as the
// op), as TF1 Defun graphs do; the graph calls outer through
// PartitionedCall. So outer(x) = 6x + 1.
func nestedCalls() *tfpb.GraphDef {
	i32 := tensor.Int32
	one := []*tfpb.OpDef_ArgDef{farg("x", i32)}
	res := []*tfpb.OpDef_ArgDef{farg("y", i32)}
	callAttrs := map[string]any{"Tin": []tensor.DType{i32}, "Tout": []tensor.DType{i32}}
	with := func(m map[string]any, k string, v any) map[string]any {
		out := map[string]any{k: v}
		for k2, v2 := range m {
			out[k2] = v2
		}
		return out
	}
	inner := fdef("inner", one, res, map[string]string{"y": "times3:z:0"},
		graph.NewNode("d", "double", []string{"x"}, nil),
		fconst("three", int32(3)),
		binop("times3", "Mul", "d:y:0", "three:output:0", i32))
	outer := fdef("outer", one, res, map[string]string{"y": "plus1:z:0"},
		graph.NewNode("call", "StatefulPartitionedCall", []string{"x"}, with(callAttrs, "f", fn("inner", nil))),
		fconst("one", int32(1)),
		binop("plus1", "AddV2", "call:output:0", "one:output:0", i32))
	var b graph.Builder
	b.Add("x", "Placeholder", nil, map[string]any{"dtype": i32})
	b.Add("call", "PartitionedCall", []string{"x"}, with(callAttrs, "f", fn("outer", nil)))
	g := b.Graph()
	g.Library = library(outer, inner, scalarFn("double", "Mul", 2))
	return g
}

func TestNestedCalls(t *testing.T) {
	for _, x := range []int32{0, 5, -7} {
		out, err := runFunctional(t, nestedCalls(), map[string]*tensor.Tensor{"x": tensor.Scalar(x)}, "call")
		require.NoError(t, err)
		assert.Equal(t, 6*x+1, tensor.Values[int32](out)[0], "outer(%d) = 6·%d + 1", x, x)
	}
}

// recursiveFactorial is fact(n) = If(n <= 1, then: 1, else: n·fact(n-1))
// over int64: a function that calls itself through an If branch.
func recursiveFactorial() *tfpb.GraphDef {
	i64 := tensor.Int64
	one := []*tfpb.OpDef_ArgDef{farg("n", i64)}
	res := []*tfpb.OpDef_ArgDef{farg("y", i64)}
	calls := map[string]any{"Tin": []tensor.DType{i64}, "Tout": []tensor.DType{i64}}
	fact := fdef("fact", one, res, map[string]string{"y": "if:output:0"},
		fconst("one", int64(1)),
		binop("le", "LessEqual", "n", "one:output:0", i64),
		graph.NewNode("if", "StatelessIf", []string{"le:z:0", "n"}, map[string]any{
			"Tcond": tensor.Bool, "Tin": []tensor.DType{i64}, "Tout": []tensor.DType{i64},
			"then_branch": fn("fact_base", nil), "else_branch": fn("fact_step", nil)}))
	base := fdef("fact_base", one, res, map[string]string{"y": "one:output:0"}, fconst("one", int64(1)))
	step := fdef("fact_step", one, res, map[string]string{"y": "mul:z:0"},
		fconst("one", int64(1)),
		binop("prev", "Sub", "n", "one:output:0", i64),
		graph.NewNode("rec", "PartitionedCall", []string{"prev:z:0"}, map[string]any{"Tin": calls["Tin"], "Tout": calls["Tout"], "f": fn("fact", nil)}),
		binop("mul", "Mul", "n", "rec:output:0", i64))
	var b graph.Builder
	b.Add("n", "Placeholder", nil, map[string]any{"dtype": i64})
	b.Add("fact", "PartitionedCall", []string{"n"}, map[string]any{"Tin": calls["Tin"], "Tout": calls["Tout"], "f": fn("fact", nil)})
	g := b.Graph()
	g.Library = library(fact, base, step)
	return g
}

// TestRecursion: fact(n) nests two calls per level (fact, then its
// else branch), so n = 20 nests 40 deep and runs; n = 40 would nest 80,
// over MaxCallDepth, and is refused with ErrCallDepth, naming the calls.
func TestRecursion(t *testing.T) {
	e, err := New(recursiveFactorial())
	require.NoError(t, err)
	want := int64(1)
	for k := int64(2); k <= 20; k++ {
		want *= k
	}
	out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"n": tensor.Scalar(int64(20))}, []string{"fact"})
	require.NoError(t, err)
	assert.Equal(t, want, tensor.Values[int64](out[0])[0], "20! computed in Go")

	_, err = e.Run(context.Background(), map[string]*tensor.Tensor{"n": tensor.Scalar(int64(40))}, []string{"fact"})
	require.ErrorIs(t, err, ErrCallDepth)
	assert.Equal(t, `node "fact" (PartitionedCall): tfexec: function calls nest too deeply (64): `+
		`fact (node "rec") ← fact_step (node "if") ← fact (node "rec") ← fact_step (node "if") ← …`, err.Error())
}

// TestControlOutputsRun: a function's control outputs run although
// nothing consumes them, so its failing Assert fails the call.
func TestControlOutputsRun(t *testing.T) {
	i32 := tensor.Int32
	check := fdef("check", []*tfpb.OpDef_ArgDef{farg("x", i32)}, []*tfpb.OpDef_ArgDef{farg("y", i32)},
		map[string]string{"y": "x"},
		fconst("zero", int32(0)),
		binop("nonneg", "GreaterEqual", "x", "zero:output:0", i32),
		graph.NewNode("assert", "Assert", []string{"nonneg:z:0", "x"}, map[string]any{"T": []tensor.DType{i32}}))
	check.Signature.ControlOutput = []string{"assert"}
	check.ControlRet = map[string]string{"assert": "assert"}
	var b graph.Builder
	b.Add("x", "Placeholder", nil, map[string]any{"dtype": i32})
	b.Add("call", "PartitionedCall", []string{"x"}, map[string]any{"Tin": []tensor.DType{i32}, "Tout": []tensor.DType{i32}, "f": fn("check", nil)})
	g := b.Graph()
	g.Library = library(check)

	out, err := runFunctional(t, g, map[string]*tensor.Tensor{"x": tensor.Scalar(int32(3))}, "call")
	require.NoError(t, err)
	assert.Equal(t, int32(3), tensor.Values[int32](out)[0])
	_, err = runFunctional(t, g, map[string]*tensor.Tensor{"x": tensor.Scalar(int32(-3))}, "call")
	assert.EqualError(t, err, `node "call" (PartitionedCall): function check: node "assert" (Assert): assertion failed: int32[] [-3]`)
}

// TestFunctionalErrors: errors name the node, the op and the function.
func TestFunctionalErrors(t *testing.T) {
	i32 := tensor.Int32
	callOf := func(f string, tout tensor.DType, lib ...*tfpb.FunctionDef) *tfpb.GraphDef {
		var b graph.Builder
		b.Add("x", "Placeholder", nil, map[string]any{"dtype": i32})
		b.Add("call", "StatefulPartitionedCall", []string{"x"}, map[string]any{"Tin": []tensor.DType{i32}, "Tout": []tensor.DType{tout}, "f": fn(f, nil)})
		g := b.Graph()
		g.Library = library(lib...)
		return g
	}
	t.Run("missing function", func(t *testing.T) {
		e, err := New(callOf("nowhere", i32))
		require.NoError(t, err)
		err = e.Prepare([]string{"x"}, []string{"call"})
		require.ErrorIs(t, err, function.ErrNotFound)
		assert.EqualError(t, err, `node "call" (StatefulPartitionedCall): function nowhere: function not in the library`)
	})
	t.Run("body op without a kernel", func(t *testing.T) {
		f := fdef("f", []*tfpb.OpDef_ArgDef{farg("x", i32)}, []*tfpb.OpDef_ArgDef{farg("y", i32)}, map[string]string{"y": "odd:0"},
			graph.NewNode("odd", "NoSuchOp", []string{"x"}, nil))
		e, err := New(callOf("f", i32, f))
		require.NoError(t, err)
		err = e.Prepare([]string{"x"}, []string{"call"})
		var unsupported *UnsupportedOpsError
		require.ErrorAs(t, err, &unsupported)
		assert.Equal(t, map[string][]string{"NoSuchOp": {"odd"}}, unsupported.Ops)
		assert.EqualError(t, err, `node "call" (StatefulPartitionedCall): function f: tfexec: no kernel for 1 op type(s): NoSuchOp (node "odd")`)
	})
	t.Run("body fails at run time", func(t *testing.T) {
		f := fdef("f", []*tfpb.OpDef_ArgDef{farg("x", i32)}, []*tfpb.OpDef_ArgDef{farg("y", i32)}, map[string]string{"y": "div:z:0"},
			fconst("zero", int32(0)), binop("div", "FloorDiv", "x", "zero:output:0", i32))
		_, err := runFunctional(t, callOf("f", i32, f), map[string]*tensor.Tensor{"x": tensor.Scalar(int32(1))}, "call")
		require.Error(t, err)
		assert.Regexp(t, `^node "call" \(StatefulPartitionedCall\): function f: node "div" \(FloorDiv\): .*division by zero`, err.Error())
	})
	t.Run("result type differs from Tout", func(t *testing.T) {
		_, err := runFunctional(t, callOf("double", tensor.Float32, scalarFn("double", "Mul", 2)), map[string]*tensor.Tensor{"x": tensor.Scalar(int32(1))}, "call")
		assert.EqualError(t, err, `node "call" (StatefulPartitionedCall): function double: output 0 is int32, the node declares float32`)
	})
	t.Run("argument type differs from the signature", func(t *testing.T) {
		var b graph.Builder
		b.Add("x", "Placeholder", nil, map[string]any{"dtype": tensor.Float32})
		b.Add("call", "PartitionedCall", []string{"x"}, map[string]any{"Tin": []tensor.DType{tensor.Float32}, "Tout": []tensor.DType{i32}, "f": fn("double", nil)})
		g := b.Graph()
		g.Library = library(scalarFn("double", "Mul", 2))
		_, err := runFunctional(t, g, map[string]*tensor.Tensor{"x": tensor.Scalar(float32(1))}, "call")
		assert.EqualError(t, err, `node "call" (PartitionedCall): function double: argument 0 must be int32, got float32`)
	})
	t.Run("while body returns too few tensors", func(t *testing.T) {
		g := whileSum("While")
		g.Library.Function[1].Signature.OutputArg = g.Library.Function[1].Signature.OutputArg[:2]
		_, err := runFunctional(t, g, map[string]*tensor.Tensor{"n": tensor.Scalar(int32(3))}, "loop")
		assert.EqualError(t, err, `node "loop" (While): invalid argument: body function sum_body returned 2 tensors for 3 loop variables`)
	})
}

// TestWhileCancellation: a loop whose condition never turns false stops
// when the run's context is done.
func TestWhileCancellation(t *testing.T) {
	g := whileSum("While")
	g.Library.Function[0] = fdef("sum_cond", g.Library.Function[0].Signature.InputArg, []*tfpb.OpDef_ArgDef{farg("more", tensor.Bool)},
		map[string]string{"more": "t:output:0"}, fconst("t", true))
	e, err := New(g)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = e.Run(ctx, map[string]*tensor.Tensor{"n": tensor.Scalar(int32(1))}, []string{"loop"})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// TestFunctionalConcurrentRuns runs calls, loops and branches from many
// goroutines on one executor (run it with -race): every result must be
// its own.
func TestFunctionalConcurrentRuns(t *testing.T) {
	var b graph.Builder
	b.Add("x", "Placeholder", nil, map[string]any{"dtype": tensor.Int32})
	b.Add("index", "Placeholder", nil, map[string]any{"dtype": tensor.Int32})
	b.Add("nested", "PartitionedCall", []string{"x"}, map[string]any{"Tin": []tensor.DType{tensor.Int32}, "Tout": []tensor.DType{tensor.Int32}, "f": fn("outer", nil)})
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Add("loop", "While", []string{"zero", "x", "zero"}, map[string]any{
		"T": []tensor.DType{tensor.Int32, tensor.Int32, tensor.Int32}, "cond": fn("sum_cond", nil), "body": fn("sum_body", nil)})
	c := b.Add("case", "Case", []string{"index", "x"}, map[string]any{"Tin": []tensor.DType{tensor.Int32}, "Tout": []tensor.DType{tensor.Int32}})
	c.Attr["branches"] = caseGraph("Case").Node[2].Attr["branches"]
	g := b.Graph()
	g.Library = library(append(append(nestedCalls().Library.Function, whileSum("While").Library.Function...),
		scalarFn("plus1", "AddV2", 1), scalarFn("minus3", "Sub", 3))...)

	e, err := New(g)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for k := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 10 {
				x := int32(k*10 + r)
				index := x % 3
				out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"x": tensor.Scalar(x), "index": tensor.Scalar(index)}, []string{"nested", "loop:2", "case"})
				if err != nil {
					errs <- err
					return
				}
				branch := [3]int32{x + 1, 2 * x, x - 3}[index]
				got := [3]int32{tensor.Values[int32](out[0])[0], tensor.Values[int32](out[1])[0], tensor.Values[int32](out[2])[0]}
				if want := [3]int32{6*x + 1, x * (x + 1) / 2, branch}; got != want {
					errs <- fmt.Errorf("x=%d: got %v, want %v", x, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Len(t, e.funcs.fns, 7, "each function instantiated once: outer, inner, double, sum_cond, sum_body, plus1, minus3")
}

// TestWhileRunBudget: a loop making a 1 MiB tensor in each of 100
// iterations runs under a 4 MiB run budget: iterations are freed as the
// loop goes.
func TestWhileRunBudget(t *testing.T) {
	g, fetch := bigWhile(100, 1<<18)
	e, err := New(g, WithMaxRunBytes(4<<20))
	require.NoError(t, err)
	out, err := e.Run(context.Background(), nil, []string{fetch})
	require.NoError(t, err)
	assert.Equal(t, float32(100*(1<<18)), tensor.Values[float32](out[0])[0], "100 additions of 1 to each of 2¹⁸ zeros, summed")
}

// bigWhile is While over (i, x) with x a float32 vector of elems zeros:
// cond i < n, body (i+1, x+1); the graph sums the final x, n·elems.
func bigWhile(n, elems int) (*tfpb.GraphDef, string) {
	vars := []*tfpb.OpDef_ArgDef{farg("i", tensor.Int32), farg("x", tensor.Float32)}
	cond := fdef("big_cond", vars, []*tfpb.OpDef_ArgDef{farg("more", tensor.Bool)}, map[string]string{"more": "less:z:0"},
		fconst("n", int32(n)), binop("less", "Less", "i", "n:output:0", tensor.Int32))
	body := fdef("big_body", vars, vars, map[string]string{"i": "next:z:0", "x": "add:z:0"},
		fconst("one", int32(1)), fconst("fone", float32(1)),
		binop("next", "AddV2", "i", "one:output:0", tensor.Int32),
		binop("add", "AddV2", "x", "fone:output:0", tensor.Float32))
	var b graph.Builder
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Const("x0", tensor.MustFromSlice(tensor.Shape{elems}, make([]float32, elems)))
	b.Add("loop", "StatelessWhile", []string{"zero", "x0"}, map[string]any{
		"T": []tensor.DType{tensor.Int32, tensor.Float32}, "cond": fn("big_cond", nil), "body": fn("big_body", nil)})
	b.Add("sum", "Sum", []string{"loop:1", "zero"}, map[string]any{"T": tensor.Float32, "Tidx": tensor.Int32})
	g := b.Graph()
	g.Library = library(cond, body)
	return g, "sum"
}

func runBigWhileChild(t *testing.T, n, elems int) {
	g, fetch := bigWhile(n, elems)
	out := runMeasuredChild(t, g, fetch)
	assert.Equal(t, float32(n)*float32(elems), tensor.Values[float32](out)[0])
}

func init() {
	childCases["while1MiBx2k"] = func(t *testing.T) { runBigWhileChild(t, 2000, 1<<18) }
}

// TestWhileMemoryIsBounded runs a functional loop that makes 1 MiB in
// each of 2000 iterations (2 GB in all) in a child process limited to
// 512 MiB: it must hold a few iterations at once.
func TestWhileMemoryIsBounded(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures memory in a child process")
	}
	r := runChild(t, "while1MiBx2k", 512<<20)
	t.Logf("peak RSS %d MiB; %s", r.peakRSS>>20, lastLine(r.out, "child:"))
	assert.Less(t, r.peakRSS, int64(128<<20), "peak RSS")
}

// functionalOpTypes are the ops functional.go implements.
var functionalOpTypes = []string{"PartitionedCall", "StatefulPartitionedCall", "If", "StatelessIf", "While", "StatelessWhile", "Case", "StatelessCase"}

func TestFunctionalOpsAreSupported(t *testing.T) {
	for _, op := range functionalOpTypes {
		assert.True(t, (*Executor)(nil).Supported(op), op)
		assert.NotEmpty(t, graph.FunctionalKind(op), op)
	}
	assert.Empty(t, graph.FunctionalKind("Switch"))
	assert.True(t, errors.Is(&callDepthError{frame: &callFrame{fn: "f", node: "n", depth: 65}}, ErrCallDepth))
}

// BenchmarkWhileSum runs the functional loop summing 1..1000: two nested
// function runs (cond, body) per iteration.
func BenchmarkWhileSum(b *testing.B) {
	e, err := New(whileSum("While"))
	require.NoError(b, err)
	feeds := map[string]*tensor.Tensor{"n": tensor.Scalar(int32(1000))}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Run(context.Background(), feeds, []string{"loop:2"}); err != nil {
			b.Fatal(err)
		}
	}
}

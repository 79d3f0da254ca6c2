package tfexec

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// Test-only int32 kernels, so these tests exercise the executor without
// depending on the kernel packages.
var testKernelCalls atomic.Int64

func init() {
	binary := func(f func(a, b int32) int32) kernel.Factory {
		return kernel.Stateless(func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			testKernelCalls.Add(1)
			a, b := tensor.Values[int32](in[0]), tensor.Values[int32](in[1])
			return []*tensor.Tensor{tensor.Scalar(f(a[0], b[0]))}, nil
		})
	}
	kernel.Register(
		kernel.Def{Op: "TestAdd", New: binary(func(a, b int32) int32 { return a + b })},
		kernel.Def{Op: "TestMul", New: binary(func(a, b int32) int32 { return a * b })},
		kernel.Def{Op: "TestLess", New: kernel.Stateless(func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			return []*tensor.Tensor{tensor.Scalar(tensor.Values[int32](in[0])[0] < tensor.Values[int32](in[1])[0])}, nil
		})},
		kernel.Def{Op: "TestPanic", New: kernel.Stateless(func(*kernel.Context, []*tensor.Tensor) ([]*tensor.Tensor, error) {
			panic("boom")
		})},
		kernel.Def{Op: "TestSlow", New: kernel.Stateless(func(ctx *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(10 * time.Second):
				return in, nil
			}
		})},
		kernel.Def{Op: "TestTwoOut", New: kernel.Stateless(func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			v := tensor.Values[int32](in[0])[0]
			return []*tensor.Tensor{tensor.Scalar(v + 1), tensor.Scalar(v + 2)}, nil
		})},
	)
}

func i32(v int32) *tensor.Tensor { return tensor.Scalar(v) }

func runGraph(t *testing.T, g *tfpb.GraphDef, feeds map[string]*tensor.Tensor, fetches ...string) ([]*tensor.Tensor, error) {
	t.Helper()
	e, err := New(g)
	require.NoError(t, err)
	return e.Run(context.Background(), feeds, fetches)
}

func scalarOf(t *testing.T, x *tensor.Tensor) int32 {
	t.Helper()
	require.NotNil(t, x)
	return tensor.Values[int32](x)[0]
}

// condGraph is tf.cond(p, lambda: x*2, lambda: x+10) as TF1 lowers it.
func condGraph() *tfpb.GraphDef {
	var b graph.Builder
	b.Placeholder("x", tensor.Int32, graph.ShapeAttr{})
	b.Placeholder("p", tensor.Bool, graph.ShapeAttr{})
	b.Add("sw", "Switch", []string{"x", "p"}, map[string]any{"T": tensor.Int32})
	b.Const("two", i32(2))
	b.Const("ten", i32(10))
	b.Add("t", "TestMul", []string{"sw:1", "two"}, nil)
	b.Add("f", "TestAdd", []string{"sw:0", "ten"}, nil)
	b.Add("m", "Merge", []string{"f", "t"}, map[string]any{"T": tensor.Int32, "N": 2})
	return b.Graph()
}

func TestCond(t *testing.T) {
	for _, tc := range []struct {
		pred       bool
		want, from int32
	}{{true, 14, 1}, {false, 17, 0}} {
		t.Run(fmt.Sprint(tc.pred), func(t *testing.T) {
			out, err := runGraph(t, condGraph(), map[string]*tensor.Tensor{"x": i32(7), "p": tensor.Scalar(tc.pred)}, "m", "m:1")
			require.NoError(t, err)
			assert.Equal(t, tc.want, scalarOf(t, out[0]))
			assert.Equal(t, tc.from, scalarOf(t, out[1]), "value_index")
		})
	}
	_, err := runGraph(t, condGraph(), map[string]*tensor.Tensor{"x": i32(7), "p": tensor.Scalar(true)}, "f")
	assert.ErrorIs(t, err, ErrFetch, "the untaken branch is dead")
	assert.ErrorContains(t, err, "untaken branch")
}

// addWhile appends while i < limit: i += step, in frame name, starting
// from the tensor start, and returns the Exit's name.
func addWhile(b *graph.Builder, name, start, limit string, step int32, ctrl ...string) string {
	n := func(s string) string { return name + "/" + s }
	b.Add(n("enter"), "Enter", append([]string{start}, ctrl...), map[string]any{"T": tensor.Int32, "frame_name": name})
	b.Add(n("limit"), "Enter", []string{limit}, map[string]any{"T": tensor.Int32, "frame_name": name, "is_constant": true})
	b.Add(n("merge"), "Merge", []string{n("enter"), n("next")}, map[string]any{"T": tensor.Int32, "N": 2})
	b.Add(n("less"), "TestLess", []string{n("merge"), n("limit")}, nil)
	b.Add(n("cond"), "LoopCond", []string{n("less")}, nil)
	b.Add(n("switch"), "Switch", []string{n("merge"), n("cond")}, map[string]any{"T": tensor.Int32})
	b.Add(n("body"), "Identity", []string{n("switch:1")}, nil)
	b.Const(n("step"), i32(step)).Input = []string{"^" + n("body")}
	b.Add(n("add"), "TestAdd", []string{n("body"), n("step")}, nil)
	b.Add(n("next"), "NextIteration", []string{n("add")}, map[string]any{"T": tensor.Int32})
	b.Add(n("exit"), "Exit", []string{n("switch")}, map[string]any{"T": tensor.Int32})
	return n("exit")
}

func TestWhileLoop(t *testing.T) {
	var b graph.Builder
	b.Placeholder("start", tensor.Int32, graph.ShapeAttr{})
	b.Const("limit", i32(10))
	exit := addWhile(&b, "loop", "start", "limit", 3)
	b.Add("out", "TestMul", []string{exit, "limit"}, nil)

	e, err := New(b.Graph())
	require.NoError(t, err)
	for start, want := range map[int32]int32{0: 120, 9: 120, 10: 100, 25: 250} {
		out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"start": i32(start)}, []string{"out", exit})
		require.NoError(t, err)
		assert.Equal(t, want, scalarOf(t, out[0]), "start %d", start)
		assert.Equal(t, want/10, scalarOf(t, out[1]))
	}
}

// TestNestedWhile runs for i in 0..3 step 1: for j in i..6 step 2, with
// the inner start depending on the outer iteration.
func TestNestedWhile(t *testing.T) {
	var b graph.Builder
	b.Const("zero", i32(0))
	b.Const("three", i32(3))
	b.Const("six", i32(6))
	o := func(s string) string { return "outer/" + s }
	b.Add(o("enter"), "Enter", []string{"zero"}, map[string]any{"T": tensor.Int32, "frame_name": "outer"})
	b.Add(o("limit"), "Enter", []string{"three"}, map[string]any{"T": tensor.Int32, "frame_name": "outer", "is_constant": true})
	b.Add(o("six"), "Enter", []string{"six"}, map[string]any{"T": tensor.Int32, "frame_name": "outer", "is_constant": true})
	b.Add(o("acc_enter"), "Enter", []string{"zero"}, map[string]any{"T": tensor.Int32, "frame_name": "outer"})
	b.Add(o("merge"), "Merge", []string{o("enter"), o("next")}, nil)
	b.Add(o("acc_merge"), "Merge", []string{o("acc_enter"), o("acc_next")}, nil)
	b.Add(o("less"), "TestLess", []string{o("merge"), o("limit")}, nil)
	b.Add(o("cond"), "LoopCond", []string{o("less")}, nil)
	b.Add(o("switch"), "Switch", []string{o("merge"), o("cond")}, nil)
	b.Add(o("acc_switch"), "Switch", []string{o("acc_merge"), o("cond")}, nil)
	b.Add(o("i"), "Identity", []string{o("switch:1")}, nil)
	b.Add(o("acc"), "Identity", []string{o("acc_switch:1")}, nil)
	// Inner loop: j from i while j < 6 step 2; its exit value is added to acc.
	innerExit := addWhile(&b, "inner", o("i"), o("six"), 2)
	b.Add(o("acc_add"), "TestAdd", []string{o("acc"), innerExit}, nil)
	b.Const(o("one"), i32(1)).Input = []string{"^" + o("i")}
	b.Add(o("inc"), "TestAdd", []string{o("i"), o("one")}, nil)
	b.Add(o("next"), "NextIteration", []string{o("inc")}, nil)
	b.Add(o("acc_next"), "NextIteration", []string{o("acc_add")}, nil)
	b.Add(o("exit"), "Exit", []string{o("switch")}, nil)
	b.Add(o("acc_exit"), "Exit", []string{o("acc_switch")}, nil)

	out, err := runGraph(t, b.Graph(), nil, o("acc_exit"), o("exit"))
	require.NoError(t, err)
	// i=0 → j ends at 6; i=1 → 7; i=2 → 6.
	assert.Equal(t, int32(19), scalarOf(t, out[0]))
	assert.Equal(t, int32(3), scalarOf(t, out[1]))
}

// TestLoopInUntakenBranch puts a loop under a Switch: when the branch is
// not taken the loop's Exit is dead and the Merge takes the other branch.
func TestLoopInUntakenBranch(t *testing.T) {
	var b graph.Builder
	b.Placeholder("p", tensor.Bool, graph.ShapeAttr{})
	b.Const("x", i32(1))
	b.Const("limit", i32(5))
	b.Add("sw", "Switch", []string{"x", "p"}, nil)
	exit := addWhile(&b, "loop", "sw:1", "limit", 1)
	b.Add("other", "Identity", []string{"sw:0"}, nil)
	b.Add("m", "Merge", []string{exit, "other"}, nil)
	b.Add("after", "Identity", []string{exit}, nil)

	e, err := New(b.Graph())
	require.NoError(t, err)
	out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"p": tensor.Scalar(true)}, []string{"m"})
	require.NoError(t, err)
	assert.Equal(t, int32(5), scalarOf(t, out[0]))
	out, err = e.Run(context.Background(), map[string]*tensor.Tensor{"p": tensor.Scalar(false)}, []string{"m"})
	require.NoError(t, err)
	assert.Equal(t, int32(1), scalarOf(t, out[0]))
	_, err = e.Run(context.Background(), map[string]*tensor.Tensor{"p": tensor.Scalar(false)}, []string{"after"})
	assert.ErrorIs(t, err, ErrFetch)
}

func TestControlInputsAndMultipleOutputs(t *testing.T) {
	var b graph.Builder
	b.Const("a", i32(1))
	b.Add("two", "TestTwoOut", []string{"a"}, nil)
	b.Add("s", "TestAdd", []string{"two:1", "two:0"}, nil)
	b.Add("gate", "NoOp", []string{"^s"}, nil)
	b.Add("y", "Identity", []string{"a", "^gate"}, nil)
	out, err := runGraph(t, b.Graph(), nil, "s", "y", "two:1")
	require.NoError(t, err)
	assert.Equal(t, int32(5), scalarOf(t, out[0]))
	assert.Equal(t, int32(1), scalarOf(t, out[1]))
	assert.Equal(t, int32(3), scalarOf(t, out[2]))
}

func TestFeedIntermediateTensor(t *testing.T) {
	var b graph.Builder
	b.Const("a", i32(1))
	b.Add("p", "TestPanic", []string{"a"}, nil) // never runs: its output is fed
	b.Add("y", "TestAdd", []string{"p", "a"}, nil)
	out, err := runGraph(t, b.Graph(), map[string]*tensor.Tensor{"p:0": i32(41)}, "y", "p")
	require.NoError(t, err)
	assert.Equal(t, int32(42), scalarOf(t, out[0]))
	assert.Equal(t, int32(41), scalarOf(t, out[1]), "a fed tensor can be fetched")
}

func TestControlEdgeOnFedNodeIsSatisfied(t *testing.T) {
	var b graph.Builder
	b.Placeholder("x", tensor.Int32, graph.ShapeAttr{})
	b.Const("one", i32(1))
	b.Add("y", "TestAdd", []string{"x", "one", "^x"}, nil)
	out, err := runGraph(t, b.Graph(), map[string]*tensor.Tensor{"x": i32(4)}, "y")
	require.NoError(t, err)
	assert.Equal(t, int32(5), scalarOf(t, out[0]))
}

func TestPrepareErrors(t *testing.T) {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1, 3})
	b.Add("u1", "NoSuchOp", []string{"x"}, nil)
	b.Add("u2", "NoSuchOp", []string{"u1"}, nil)
	b.Add("u3", "AlsoMissing", []string{"u2"}, nil)
	b.Add("ok", "Identity", []string{"x"}, nil)
	e, err := New(b.Graph())
	require.NoError(t, err)

	err = e.Prepare([]string{"x"}, []string{"u3"})
	var unsupported *UnsupportedOpsError
	require.ErrorAs(t, err, &unsupported)
	assert.Equal(t, map[string][]string{"NoSuchOp": {"u1", "u2"}, "AlsoMissing": {"u3"}}, unsupported.Ops)
	assert.ErrorContains(t, err, `AlsoMissing (node "u3"), NoSuchOp (node "u1" and 1 more)`)

	// An op refused on purpose says why.
	msg := (&UnsupportedOpsError{Ops: map[string][]string{"SimpleMLInferenceOpWithHandle": {"predict"}}}).Error()
	assert.Contains(t, msg, `SimpleMLInferenceOpWithHandle (node "predict"): not supported: TensorFlow Decision Forests`)

	assert.NoError(t, e.Prepare([]string{"x"}, []string{"ok"}), "pruning drops the unsupported nodes")
	assert.ErrorIs(t, e.Prepare(nil, []string{"ok"}), ErrFeed, "unfed placeholder")
	assert.ErrorIs(t, e.Prepare(nil, []string{"nope"}), ErrFetch)
	assert.ErrorIs(t, e.Prepare([]string{"zz"}, []string{"ok"}), ErrFeed)

	_, err = e.Run(context.Background(), map[string]*tensor.Tensor{"x": i32(1)}, []string{"ok"})
	assert.ErrorIs(t, err, ErrFeed)
	assert.ErrorContains(t, err, "expects float32, fed int32")
	_, err = e.Run(context.Background(), map[string]*tensor.Tensor{"x:0": tensor.MustFromSlice(tensor.Shape{3}, []float32{1, 2, 3})}, []string{"ok"})
	assert.ErrorContains(t, err, "expects shape [?,3], fed [3]")
	out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"x:0": tensor.MustFromSlice(tensor.Shape{1, 3}, []float32{1, 2, 3})}, []string{"ok"})
	require.NoError(t, err)
	assert.Equal(t, []float32{1, 2, 3}, tensor.Values[float32](out[0]))
}

// TestLegacyScalarPlaceholderShape: in GraphDefs of version 21 and older
// (TensorFlow 1.0 exports) a placeholder's scalar shape means unknown, as
// TensorFlow reads it; newer graphs hold scalar feeds to it.
func TestLegacyScalarPlaceholderShape(t *testing.T) {
	for _, tc := range []struct {
		producer int32
		accepted bool
	}{{0, true}, {21, true}, {22, false}, {1994, false}} {
		t.Run(fmt.Sprint(tc.producer), func(t *testing.T) {
			var b graph.Builder
			b.Placeholder("x", tensor.Float32, graph.ShapeAttr{})
			b.Add("y", "Identity", []string{"x"}, nil)
			g := b.Graph()
			g.Versions = &tfpb.VersionDef{Producer: tc.producer}
			batch := tensor.MustFromSlice(tensor.Shape{3}, []float32{1, 2, 3})
			_, err := runGraph(t, g, map[string]*tensor.Tensor{"x": batch}, "y")
			if tc.accepted {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, "expects shape [], fed [3]")
			}
			_, err = runGraph(t, g, map[string]*tensor.Tensor{"x": tensor.Scalar(float32(1))}, "y")
			assert.NoError(t, err)
		})
	}
}

func TestCycleIsReported(t *testing.T) {
	var b graph.Builder
	b.Add("a", "Identity", []string{"c"}, nil)
	b.Add("b", "Identity", []string{"a"}, nil)
	b.Add("c", "Identity", []string{"b"}, nil)
	_, err := runGraph(t, b.Graph(), nil, "c")
	assert.ErrorIs(t, err, graph.ErrCycle)
}

// TestKernelPanicBecomesError: a bug in a kernel is reported as the
// node's error, one line, with the stack kept in the PanicError.
func TestKernelPanicBecomesError(t *testing.T) {
	var b graph.Builder
	b.Const("a", i32(1))
	b.Add("bad", "TestPanic", []string{"a"}, nil)
	_, err := runGraph(t, b.Graph(), nil, "bad")
	var ne *NodeError
	require.ErrorAs(t, err, &ne)
	assert.Equal(t, "bad", ne.Node)
	assert.Equal(t, "TestPanic", ne.Op)
	assert.Equal(t, `node "bad" (TestPanic): kernel panicked: boom`, err.Error())
	var pe *PanicError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, string(pe.Stack), "goroutine")
	assert.Nil(t, errors.Unwrap(pe), "a string panic wraps nothing")
}

func TestCancellation(t *testing.T) {
	var b graph.Builder
	b.Const("a", i32(1))
	b.Add("slow", "TestSlow", []string{"a"}, nil)
	e, err := New(b.Graph())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = e.Run(ctx, nil, []string{"slow"})
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "got %v", err)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestConcurrentRuns(t *testing.T) {
	var b graph.Builder
	b.Placeholder("start", tensor.Int32, graph.ShapeAttr{})
	b.Const("limit", i32(50))
	exit := addWhile(&b, "loop", "start", "limit", 1)
	e, err := New(b.Graph())
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				start := int32(g + k)
				out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"start": i32(start)}, []string{exit})
				if assert.NoError(t, err) {
					assert.Equal(t, max(start, 50), tensor.Values[int32](out[0])[0])
				}
			}
		}()
	}
	wg.Wait()
}

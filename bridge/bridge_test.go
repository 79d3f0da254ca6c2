package bridge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/backends"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/partition"
	"github.com/tfoffload/tfoffload/tensor"
)

// mlp is a small graph: x → MatMul → BiasAdd → Relu → MatMul → Softmax,
// with a Shape/Reshape branch, enough for clusters of several sizes.
func mlp(t *testing.T) *graph.Model {
	t.Helper()
	var b graph.Builder
	f32 := tensor.Float32
	b.Placeholder("x", f32, graph.ShapeAttr{-1, 4})
	w1 := make([]float32, 4*8)
	w2 := make([]float32, 8*3)
	for i := range w1 {
		w1[i] = float32(i%7)/7 - 0.4
	}
	for i := range w2 {
		w2[i] = float32(i%5)/5 - 0.3
	}
	b.Const("w1", tensor.MustFromSlice(tensor.Shape{4, 8}, w1))
	b.Const("b1", tensor.MustFromSlice(tensor.Shape{8}, []float32{0.1, -0.1, 0.2, 0, 0.3, -0.2, 0.1, 0}))
	b.Const("w2", tensor.MustFromSlice(tensor.Shape{8, 3}, w2))
	b.Add("mm1", "MatMul", []string{"x", "w1"}, map[string]any{"T": f32})
	b.Add("ba1", "BiasAdd", []string{"mm1", "b1"}, map[string]any{"T": f32})
	b.Add("r1", "Relu", []string{"ba1"}, map[string]any{"T": f32})
	b.Add("sq", "Square", []string{"r1"}, map[string]any{"T": f32})
	b.Add("sum", "AddV2", []string{"sq", "r1"}, map[string]any{"T": f32})
	b.Add("mm2", "MatMul", []string{"sum", "w2"}, map[string]any{"T": f32})
	b.Add("tanh", "Tanh", []string{"mm2"}, map[string]any{"T": f32})
	b.Add("out", "Sigmoid", []string{"tanh"}, map[string]any{"T": f32})
	return &graph.Model{Path: "mlp", Graph: b.Graph()}
}

func mlpInput(batch int) map[string]*tensor.Tensor {
	x := make([]float32, batch*4)
	for i := range x {
		x[i] = float32(i%11)/5 - 1
	}
	return map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{batch, 4}, x)}
}

func runBoth(t *testing.T, m *graph.Model, feeds map[string]*tensor.Tensor, fetches []string, opts ...Option) (*Session, []*tensor.Tensor) {
	t.Helper()
	off, err := NewSession(m, append([]Option{WithOffload(true), WithBackend("CPU")}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, off.Close()) })
	got, err := off.Run(context.Background(), feeds, fetches)
	require.NoError(t, err)
	ref, err := NewSession(m, WithOffload(false))
	require.NoError(t, err)
	want, err := ref.Run(context.Background(), feeds, fetches)
	require.NoError(t, err)
	for i := range want {
		assert.NoError(t, tensor.Compare(got[i], want[i], tensor.Tolerance{RTol: 1e-5, ATol: 1e-6}), fetches[i])
	}
	return off, got
}

func TestMinNontrivialNodesChangesPlan(t *testing.T) {
	enginetest.Require(t)
	m := mlp(t)
	t.Setenv(envconfig.MinNontrivialNodes, "1000")
	huge, _ := runBoth(t, m, mlpInput(2), []string{"out"})
	assert.Empty(t, huge.Plan().Clusters, "a huge minimum offloads nothing")
	assert.Equal(t, 1000, huge.Plan().MinNontrivialNodes)
	assert.Equal(t, envconfig.MinNontrivialNodes, huge.Plan().MinSource)

	t.Setenv(envconfig.MinNontrivialNodes, "2")
	small, _ := runBoth(t, m, mlpInput(2), []string{"out"})
	require.Len(t, small.Plan().Clusters, 1)
	off, total := small.Plan().NonTrivial()
	assert.Equal(t, total, off)

	// A session option beats the environment.
	opt, _ := runBoth(t, m, mlpInput(2), []string{"out"}, WithMinNontrivialNodes(100))
	assert.Empty(t, opt.Plan().Clusters)
	assert.Equal(t, "session option", opt.Plan().MinSource)
}

func TestDisabledOpsAreNeverOffloaded(t *testing.T) {
	enginetest.Require(t)
	m := mlp(t)
	s, _ := runBoth(t, m, mlpInput(3), []string{"out"}, WithMinNontrivialNodes(1), WithDisabledOps("Relu", "Tanh"))
	for _, c := range s.Plan().Clusters {
		assert.Zero(t, c.OpCounts()["Relu"])
		assert.Zero(t, c.OpCounts()["Tanh"])
	}
	for _, f := range s.Plan().Fallback {
		if f.Op == "Relu" || f.Op == "Tanh" {
			assert.Equal(t, partition.ReasonDisabled, f.Reason.Kind)
		}
	}

	t.Setenv(envconfig.DisabledOps, "Sigmoid")
	env, _ := runBoth(t, m, mlpInput(3), []string{"out"}, WithMinNontrivialNodes(1))
	for _, c := range env.Plan().Clusters {
		assert.Zero(t, c.OpCounts()["Sigmoid"])
	}
}

func TestCompileCachePerSignature(t *testing.T) {
	enginetest.Require(t)
	s, _ := runBoth(t, mlp(t), mlpInput(2), []string{"out"}, WithMinNontrivialNodes(1))
	for _, batch := range []int{2, 2, 5, 2} {
		_, err := s.Run(context.Background(), mlpInput(batch), []string{"out"})
		require.NoError(t, err)
	}
	st := s.Stats()
	require.Len(t, st.Clusters, 1)
	assert.Equal(t, 2, st.Clusters[0].Compiles, "batch 2 and batch 5")
	assert.Equal(t, 5, st.Clusters[0].Runs)
	assert.Positive(t, st.CompileTime)
}

func TestFetchInsideCluster(t *testing.T) {
	enginetest.Require(t)
	var logs bytes.Buffer
	s, _ := runBoth(t, mlp(t), mlpInput(2), []string{"out"}, WithMinNontrivialNodes(1),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	// r1 is inside the cluster and not one of its outputs.
	got, err := s.Run(context.Background(), mlpInput(2), []string{"r1", "out"})
	require.NoError(t, err)
	assert.Equal(t, tensor.Shape{2, 8}, got[0].Shape())
	assert.Contains(t, logs.String(), "inside an offloaded cluster")

	// Named up front, it stays visible.
	s2, _ := runBoth(t, mlp(t), mlpInput(2), []string{"r1", "out"}, WithMinNontrivialNodes(1), WithOutputs("r1"))
	assert.Contains(t, s2.Plan().Clusters[0].Outputs, "r1:0")
}

// selectRows builds a graph whose cluster the translator rejects at
// compile time (a row-selecting Select), to exercise dynamic fallback.
func selectRows() *graph.Model {
	var b graph.Builder
	f32 := tensor.Float32
	b.Placeholder("c", tensor.Bool, graph.ShapeAttr{2})
	b.Placeholder("x", f32, graph.ShapeAttr{2, 3})
	b.Add("a", "Relu", []string{"x"}, map[string]any{"T": f32})
	b.Add("n", "Neg", []string{"x"}, map[string]any{"T": f32})
	b.Add("s", "Select", []string{"c", "a", "n"}, map[string]any{"T": f32})
	b.Add("out", "Exp", []string{"s"}, map[string]any{"T": f32})
	return &graph.Model{Path: "select", Graph: b.Graph()}
}

func TestDynamicFallback(t *testing.T) {
	enginetest.Require(t)
	feeds := map[string]*tensor.Tensor{
		"c": tensor.MustFromSlice(tensor.Shape{2}, []bool{true, false}),
		"x": tensor.MustFromSlice(tensor.Shape{2, 3}, []float32{1, -2, 3, -4, 5, -6}),
	}
	var logs bytes.Buffer
	s, got := runBoth(t, selectRows(), feeds, []string{"out"}, WithMinNontrivialNodes(1),
		WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	// Row 0 takes exp(relu(x)), row 1 exp(-x).
	assert.InDeltaSlice(t, []float32{2.7182817, 1, 20.085537, 54.59815, 0.006737947, 403.4288}, tensor.Values[float32](got[0]), 1e-4)
	_, err := s.Run(context.Background(), feeds, []string{"out"})
	require.NoError(t, err)
	st := s.Stats()
	require.Len(t, st.Clusters, 1)
	assert.True(t, st.Clusters[0].FellBack)
	assert.Equal(t, 2, st.Clusters[0].FallbackRuns)
	assert.Equal(t, 1, strings.Count(logs.String(), "falls back"), "logged once")

	strict, err := NewSession(selectRows(), WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false))
	require.NoError(t, err)
	defer strict.Close()
	_, err = strict.Run(context.Background(), feeds, []string{"out"})
	assert.ErrorIs(t, err, ErrOffload)

	t.Setenv(envconfig.DynamicFallback, "0")
	env, err := NewSession(selectRows(), WithOffload(true), WithMinNontrivialNodes(1))
	require.NoError(t, err)
	defer env.Close()
	_, err = env.Run(context.Background(), feeds, []string{"out"})
	assert.ErrorIs(t, err, ErrOffload)
}

func TestConcurrentRuns(t *testing.T) {
	enginetest.Require(t)
	s, _ := runBoth(t, mlp(t), mlpInput(2), []string{"out"}, WithMinNontrivialNodes(1))
	ref, err := NewSession(mlp(t), WithOffload(false))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 10; k++ {
				batch := 1 + (g+k)%4
				got, err := s.Run(context.Background(), mlpInput(batch), []string{"out"})
				if !assert.NoError(t, err) {
					return
				}
				want, err := ref.Run(context.Background(), mlpInput(batch), []string{"out"})
				if assert.NoError(t, err) {
					assert.NoError(t, tensor.Compare(got[0], want[0], tensor.Tolerance{RTol: 1e-5, ATol: 1e-6}))
				}
			}
		}()
	}
	wg.Wait()
}

func TestCloseIsIdempotent(t *testing.T) {
	enginetest.Require(t)
	s, err := NewSession(mlp(t), WithOffload(true), WithMinNontrivialNodes(1))
	require.NoError(t, err)
	_, err = s.Run(context.Background(), mlpInput(1), []string{"out"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close())
	_, err = s.Run(context.Background(), mlpInput(1), []string{"out"})
	assert.ErrorIs(t, err, ErrClosed)
}

func TestGlobalSettings(t *testing.T) {
	enginetest.Require(t)
	t.Cleanup(func() {
		global.Lock()
		global.backend, global.enabled, global.disabledOps, global.opsSet = "", nil, nil, false
		global.Unlock()
	})
	err := SetBackend("NOPE")
	assert.ErrorIs(t, err, backends.ErrUnknownBackend)
	assert.ErrorContains(t, err, "CPU")
	require.NoError(t, SetBackend("cpu"))
	assert.Equal(t, "CPU", Backend())
	assert.Contains(t, ListBackends(), "CPU")

	Disable()
	assert.False(t, IsEnabled())
	s, err := NewSession(mlp(t))
	require.NoError(t, err)
	assert.Nil(t, s.Plan(), "disabled: no partition")
	Enable()
	assert.True(t, IsEnabled())

	SetDisabledOps("MatMul")
	assert.Equal(t, []string{"MatMul"}, DisabledOps())
	p, err := Partition(mlp(t), WithMinNontrivialNodes(1))
	require.NoError(t, err)
	for _, c := range p.Clusters {
		assert.Zero(t, c.OpCounts()["MatMul"])
	}

	t.Setenv(envconfig.MinNontrivialNodes, "many")
	_, err = NewSession(mlp(t))
	assert.ErrorContains(t, err, envconfig.MinNontrivialNodes)
}

func TestUnusableBackendIsAnError(t *testing.T) {
	enginetest.Require(t)
	_, err := NewSession(mlp(t), WithOffload(true), WithBackend("TENSORRT"))
	require.Error(t, err)
	assert.True(t, errors.Is(err, backends.ErrUnavailable) || errors.Is(err, backends.ErrUnknownBackend), "%v", err)
}

func TestDumpDir(t *testing.T) {
	enginetest.Require(t)
	dir := t.TempDir()
	t.Setenv(envconfig.DumpDir, dir)
	runBoth(t, mlp(t), mlpInput(2), []string{"out"}, WithMinNontrivialNodes(1))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Contains(t, names, "plan.txt")
	assert.Contains(t, names, "plan.dot")
	assert.True(t, slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, ".onnx") }), "%v", names)
	dot, err := os.ReadFile(filepath.Join(dir, "plan.dot"))
	require.NoError(t, err)
	assert.Contains(t, string(dot), "subgraph cluster_0")
}

// quietLogger drops the session logs of tests that expect fallbacks.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// loopModel is x → MatMul → Relu → Tanh, then a TF1 while loop that
// halves and increments its value three times, then Sigmoid → Square:
// clusters before and after the loop, control flow in between.
func loopModel() *graph.Model {
	var b graph.Builder
	f32 := tensor.Float32
	b.Placeholder("x", f32, graph.ShapeAttr{2, 3})
	b.Const("w", tensor.MustFromSlice(tensor.Shape{3, 3}, []float32{0.5, -1, 0.2, 0.3, 0.8, -0.4, 1, 0.1, 0.6}))
	b.Add("mm", "MatMul", []string{"x", "w"}, map[string]any{"T": f32})
	b.Add("relu", "Relu", []string{"mm"}, map[string]any{"T": f32})
	b.Add("pre", "Tanh", []string{"relu"}, map[string]any{"T": f32})
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Const("three", tensor.Scalar(int32(3)))
	frame := map[string]any{"frame_name": "loop"}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	b.Add("loop/i_enter", "Enter", []string{"zero"}, with(frame, "T", tensor.Int32))
	b.Add("loop/v_enter", "Enter", []string{"pre"}, with(frame, "T", f32))
	b.Add("loop/limit", "Enter", []string{"three"}, with(frame, "T", tensor.Int32, "is_constant", true))
	b.Add("loop/i_merge", "Merge", []string{"loop/i_enter", "loop/i_next"}, map[string]any{"T": tensor.Int32, "N": 2})
	b.Add("loop/v_merge", "Merge", []string{"loop/v_enter", "loop/v_next"}, map[string]any{"T": f32, "N": 2})
	b.Add("loop/less", "Less", []string{"loop/i_merge", "loop/limit"}, map[string]any{"T": tensor.Int32})
	b.Add("loop/cond", "LoopCond", []string{"loop/less"}, nil)
	b.Add("loop/i_switch", "Switch", []string{"loop/i_merge", "loop/cond"}, map[string]any{"T": tensor.Int32})
	b.Add("loop/v_switch", "Switch", []string{"loop/v_merge", "loop/cond"}, map[string]any{"T": f32})
	b.Add("loop/i", "Identity", []string{"loop/i_switch:1"}, map[string]any{"T": tensor.Int32})
	b.Add("loop/v", "Identity", []string{"loop/v_switch:1"}, map[string]any{"T": f32})
	b.Const("loop/one", tensor.Scalar(int32(1))).Input = []string{"^loop/i"}
	b.Const("loop/half", tensor.Scalar(float32(0.5))).Input = []string{"^loop/i"}
	b.Const("loop/onef", tensor.Scalar(float32(1))).Input = []string{"^loop/i"}
	b.Add("loop/i_add", "AddV2", []string{"loop/i", "loop/one"}, map[string]any{"T": tensor.Int32})
	b.Add("loop/v_mul", "Mul", []string{"loop/v", "loop/half"}, map[string]any{"T": f32})
	b.Add("loop/v_add", "AddV2", []string{"loop/v_mul", "loop/onef"}, map[string]any{"T": f32})
	b.Add("loop/i_next", "NextIteration", []string{"loop/i_add"}, map[string]any{"T": tensor.Int32})
	b.Add("loop/v_next", "NextIteration", []string{"loop/v_add"}, map[string]any{"T": f32})
	b.Add("loop/v_exit", "Exit", []string{"loop/v_switch"}, map[string]any{"T": f32})
	b.Add("sig", "Sigmoid", []string{"loop/v_exit"}, map[string]any{"T": f32})
	b.Add("out", "Square", []string{"sig"}, map[string]any{"T": f32})
	return &graph.Model{Path: "loop", Graph: b.Graph()}
}

func TestControlFlowStaysOnFallback(t *testing.T) {
	enginetest.Require(t)
	x := map[string]*tensor.Tensor{"x": tensor.MustFromSlice(tensor.Shape{2, 3}, []float32{1, -2, 3, 0.5, 0.25, -1})}
	s, got := runBoth(t, loopModel(), x, []string{"out"}, WithMinNontrivialNodes(1))
	p := s.Plan()
	require.Len(t, p.Clusters, 2, "%s", p)
	assert.True(t, slices.Contains(p.Clusters[0].NodeNames(), "mm") && slices.Contains(p.Clusters[0].NodeNames(), "pre"))
	assert.True(t, slices.Contains(p.Clusters[1].NodeNames(), "sig") && slices.Contains(p.Clusters[1].NodeNames(), "out"))
	for _, f := range p.Fallback {
		switch {
		case graph.ControlFlowKind(f.Op) != "":
			assert.Equal(t, partition.ReasonControlFlow, f.Reason.Kind, f.Node)
		case strings.HasPrefix(f.Node, "loop/"):
			assert.Equal(t, partition.ReasonLoop, f.Reason.Kind, f.Node)
		}
	}
	// three rounds of v/2 + 1 after tanh(relu(x·w)), then sigmoid²
	assert.Equal(t, tensor.Shape{2, 3}, got[0].Shape())
	for _, c := range s.Stats().Clusters {
		assert.Positive(t, c.Runs)
	}
}

// TestCancelledRunDoesNotDisableOffload cancels a run while its cluster
// compiles: the caller gets the cancellation, and the cluster stays
// offloaded for the next caller.
func TestCancelledRunDoesNotDisableOffload(t *testing.T) {
	enginetest.Require(t)
	s, err := NewSession(mlp(t), WithOffload(true), WithMinNontrivialNodes(1))
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.clusters, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.clusters[0].Run(ctx, []*tensor.Tensor{mlpInput(2)["x"]})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Run(context.Background(), mlpInput(2), []string{"out"})
	require.NoError(t, err)
	st := s.Stats().Clusters[0]
	assert.False(t, st.FellBack)
	assert.Equal(t, 1, st.Runs)
	assert.Equal(t, 1, st.Compiles, "the compile started by the cancelled call was kept")
}

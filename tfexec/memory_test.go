package tfexec

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// childCaseEnv selects, in a re-executed test binary, the case to run
// under a memory limit (see runChild).
const childCaseEnv = "TFEXEC_TEST_CHILD_CASE"

// counterLoop is tf.while_loop(lambda i, x: i < n, lambda i, x: (i+1,
// x+1), (0, x0)) as TF1 lowers it, with x0 a float32 vector of elems
// elements (no x at all when elems is 0). Each iteration makes a new x.
func counterLoop(n, elems, parallel int) (*tfpb.GraphDef, string) {
	var b graph.Builder
	const f = "while"
	w := func(s string) string { return f + "/" + s }
	enter := func(name, in string, dt tensor.DType, constant bool) {
		b.Add(w(name), "Enter", []string{in}, map[string]any{"T": dt, "frame_name": f,
			"is_constant": constant, "parallel_iterations": int64(parallel)})
	}
	b.Const("zero", tensor.Scalar(int32(0)))
	b.Const("n", tensor.Scalar(int32(n)))
	b.Const("one", tensor.Scalar(int32(1)))
	enter("i/enter", "zero", tensor.Int32, false)
	enter("n", "n", tensor.Int32, true)
	enter("one", "one", tensor.Int32, true)
	b.Add(w("i/merge"), "Merge", []string{w("i/enter"), w("i/next")}, map[string]any{"T": tensor.Int32, "N": 2})
	b.Add(w("less"), "Less", []string{w("i/merge"), w("n")}, map[string]any{"T": tensor.Int32})
	b.Add(w("cond"), "LoopCond", []string{w("less")}, nil)
	b.Add(w("i/switch"), "Switch", []string{w("i/merge"), w("cond")}, map[string]any{"T": tensor.Int32})
	b.Add(w("i/body"), "Identity", []string{w("i/switch:1")}, map[string]any{"T": tensor.Int32})
	b.Add(w("i/add"), "AddV2", []string{w("i/body"), w("one")}, map[string]any{"T": tensor.Int32})
	b.Add(w("i/next"), "NextIteration", []string{w("i/add")}, map[string]any{"T": tensor.Int32})
	b.Add(w("i/exit"), "Exit", []string{w("i/switch")}, map[string]any{"T": tensor.Int32})
	if elems == 0 {
		return b.Graph(), w("i/exit")
	}
	b.Const("x0", tensor.MustFromSlice(tensor.Shape{elems}, make([]float32, elems)))
	b.Const("fone", tensor.Scalar(float32(1)))
	enter("x/enter", "x0", tensor.Float32, false)
	enter("fone", "fone", tensor.Float32, true)
	b.Add(w("x/merge"), "Merge", []string{w("x/enter"), w("x/next")}, map[string]any{"T": tensor.Float32, "N": 2})
	b.Add(w("x/switch"), "Switch", []string{w("x/merge"), w("cond")}, map[string]any{"T": tensor.Float32})
	b.Add(w("x/body"), "Identity", []string{w("x/switch:1")}, map[string]any{"T": tensor.Float32})
	b.Add(w("x/add"), "AddV2", []string{w("x/body"), w("fone")}, map[string]any{"T": tensor.Float32})
	b.Add(w("x/next"), "NextIteration", []string{w("x/add")}, map[string]any{"T": tensor.Float32})
	b.Add(w("x/exit"), "Exit", []string{w("x/switch")}, map[string]any{"T": tensor.Float32})
	b.Add("x/sum", "Sum", []string{w("x/exit"), "zero"}, map[string]any{"T": tensor.Float32, "Tidx": tensor.Int32})
	return b.Graph(), "x/sum"
}

// childResult is what a child process reports on its last line.
type childResult struct {
	out     string
	peakRSS int64 // bytes, from the kernel's accounting of the child
}

// runChild re-executes this test binary to run one case of
// TestChildProcesses with its data segment (the heap included) limited to
// limit bytes (0: unlimited), and returns its output and peak RSS.
func runChild(t *testing.T, name string, limit int64) childResult {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestChildProcesses$", "-test.v")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%d", childCaseEnv, name, limit))
	out, err := cmd.CombinedOutput()
	res := childResult{out: string(out)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.peakRSS = ru.Maxrss * 1024
	}
	require.NoError(t, err, "child %s failed:\n%s", name, out)
	return res
}

// childCases run in a child process started by runChild; each prints what
// the parent checks.
var childCases = map[string]func(t *testing.T){
	"loop1e5":     func(t *testing.T) { runLoopChild(t, 100_000, 0) },
	"loop1e6":     func(t *testing.T) { runLoopChild(t, 1_000_000, 0) },
	"loop1MiBx2k": func(t *testing.T) { runLoopChild(t, 2000, 1<<18) },
	"hugeFill":    hugeFillChild,
}

// TestChildProcesses is the entry point of runChild's child processes; it
// does nothing in a normal test run.
func TestChildProcesses(t *testing.T) {
	spec, ok := os.LookupEnv(childCaseEnv)
	if !ok {
		t.Skip("runs only as a child process of another test")
	}
	var name string
	var limit int64
	_, err := fmt.Sscanf(strings.Replace(spec, ":", " ", 1), "%s %d", &name, &limit)
	require.NoError(t, err, spec)
	if limit > 0 {
		// RLIMIT_DATA rather than RLIMIT_AS: the Go runtime and the C
		// library reserve gigabytes of address space they never touch.
		require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: uint64(limit), Max: uint64(limit)}))
	}
	c, ok := childCases[name]
	require.True(t, ok, "no child case %q", name)
	c(t)
}

// heapSampler records the peak of the Go heap in use while it runs.
func heapSampler() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer close(finished)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		read()
		return peak.Load()
	}
}

func runLoopChild(t *testing.T, n, elems int) {
	g, fetch := counterLoop(n, elems, 10)
	out := runMeasuredChild(t, g, fetch)
	if elems == 0 {
		assert.Equal(t, int32(n), tensor.Values[int32](out)[0])
	} else {
		assert.Equal(t, float32(n)*float32(elems), tensor.Values[float32](out)[0])
	}
}

// runMeasuredChild runs g for fetch in a child process, printing the peak
// heap and the time taken for the parent, and returns the result.
func runMeasuredChild(t *testing.T, g *tfpb.GraphDef, fetch string) *tensor.Tensor {
	e, err := New(g)
	require.NoError(t, err)
	runtime.GC()
	stop := heapSampler()
	start := time.Now()
	out, err := e.Run(context.Background(), nil, []string{fetch})
	elapsed := time.Since(start)
	peak := stop()
	require.NoError(t, err)
	fmt.Printf("child: peak_heap=%d elapsed=%s\n", peak, elapsed.Round(time.Millisecond))
	return out[0]
}

// TestLoopMemoryIsBounded runs long loops in child processes whose data
// segment is limited to 512 MiB: before iterations were freed, the
// counter loop held 658 MB at 10⁶ iterations and the 1 MiB loop 2 GB.
func TestLoopMemoryIsBounded(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("measures memory in child processes")
	}
	for _, tc := range []struct {
		name   string
		maxRSS int64
	}{
		{"loop1e5", 64 << 20},
		{"loop1e6", 64 << 20},
		{"loop1MiBx2k", 128 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runChild(t, tc.name, 512<<20)
			t.Logf("peak RSS %d MiB; %s", r.peakRSS>>20, lastLine(r.out, "child:"))
			assert.Less(t, r.peakRSS, tc.maxRSS, "peak RSS")
		})
	}
}

// lastLine returns the last line of out that starts with prefix.
func lastLine(out, prefix string) string {
	i := strings.LastIndex(out, prefix)
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(out[i:], "\n")
	return line
}

// concurrency tracks how many TestConcurrent kernels run at once.
var concurrency struct {
	now, peak atomic.Int64
}

func init() {
	kernel.Register(kernel.Def{Op: "TestConcurrent", New: kernel.Stateless(func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		n := concurrency.now.Add(1)
		defer concurrency.now.Add(-1)
		for p := concurrency.peak.Load(); n > p && !concurrency.peak.CompareAndSwap(p, n); p = concurrency.peak.Load() {
		}
		time.Sleep(2 * time.Millisecond)
		return in, nil
	})})
}

// TestParallelIterations checks that no more than parallel_iterations
// iterations of a loop are alive at once: the loop counter runs ahead of
// a slow body, whose instances may overlap only that much.
func TestParallelIterations(t *testing.T) {
	for _, parallel := range []int{1, 3} {
		t.Run(fmt.Sprint(parallel), func(t *testing.T) {
			var b graph.Builder
			const f = "while"
			w := func(s string) string { return f + "/" + s }
			attrs := func(constant bool) map[string]any {
				return map[string]any{"T": tensor.Int32, "frame_name": f, "is_constant": constant, "parallel_iterations": int64(parallel)}
			}
			i32 := map[string]any{"T": tensor.Int32}
			b.Const("zero", tensor.Scalar(int32(0)))
			b.Const("n", tensor.Scalar(int32(30)))
			b.Const("one", tensor.Scalar(int32(1)))
			b.Add(w("i/enter"), "Enter", []string{"zero"}, attrs(false))
			b.Add(w("acc/enter"), "Enter", []string{"zero"}, attrs(false))
			b.Add(w("n"), "Enter", []string{"n"}, attrs(true))
			b.Add(w("one"), "Enter", []string{"one"}, attrs(true))
			b.Add(w("i/merge"), "Merge", []string{w("i/enter"), w("i/next")}, map[string]any{"T": tensor.Int32, "N": 2})
			b.Add(w("acc/merge"), "Merge", []string{w("acc/enter"), w("acc/next")}, map[string]any{"T": tensor.Int32, "N": 2})
			b.Add(w("less"), "Less", []string{w("i/merge"), w("n")}, i32)
			b.Add(w("cond"), "LoopCond", []string{w("less")}, nil)
			b.Add(w("i/switch"), "Switch", []string{w("i/merge"), w("cond")}, i32)
			b.Add(w("acc/switch"), "Switch", []string{w("acc/merge"), w("cond")}, i32)
			b.Add(w("i/add"), "AddV2", []string{w("i/switch:1"), w("one")}, i32)
			b.Add(w("slow"), "TestConcurrent", []string{w("i/switch:1")}, nil)
			b.Add(w("acc/add"), "AddV2", []string{w("acc/switch:1"), w("slow")}, i32)
			b.Add(w("i/next"), "NextIteration", []string{w("i/add")}, i32)
			b.Add(w("acc/next"), "NextIteration", []string{w("acc/add")}, i32)
			b.Add(w("acc/exit"), "Exit", []string{w("acc/switch")}, i32)
			e, err := New(b.Graph(), WithInterOpThreads(16))
			require.NoError(t, err)
			concurrency.peak.Store(0)
			out, err := e.Run(context.Background(), nil, []string{w("acc/exit")})
			require.NoError(t, err)
			assert.Equal(t, int32(29*30/2), tensor.Values[int32](out[0])[0])
			assert.LessOrEqual(t, concurrency.peak.Load(), int64(parallel), "body instances running at once")
		})
	}
}

func TestParallelIterationsMustBePositive(t *testing.T) {
	g, fetch := counterLoop(3, 0, 0)
	e, err := New(g)
	require.NoError(t, err)
	var ne *NodeError
	require.ErrorAs(t, e.Prepare(nil, []string{fetch}), &ne)
	assert.Equal(t, "Enter", ne.Op)
	assert.ErrorContains(t, ne, "parallel_iterations must be positive, got 0")
}

// TestHugeFillFailsCleanly runs Fill and BroadcastTo of huge shapes in a
// child process limited to 512 MiB: each must be an ordinary error, after
// which the same executor still runs. Before the memory budget, Fill of
// [10⁶,10⁶] killed the process with Go's fatal out-of-memory error.
func TestHugeFillFailsCleanly(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's shadow memory does not fit the limit")
	}
	r := runChild(t, "hugeFill", 512<<20)
	for _, want := range []string{
		`child: node "fill" (Fill): tensor: float32[1000000,1000000] needs 3.6 TiB, over the limit of 256 MiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)`,
		`child: node "fill" (Fill): tensor: float32[300,262144] needs 300 MiB, over the limit of 256 MiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)`,
		`child: node "bcast" (BroadcastTo): tensor: float32[1073741824,1073741824] needs 4 EiB, over the limit of 256 MiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)`,
		"child: sum 1048576",
	} {
		assert.Contains(t, r.out, want+"\n")
	}
}

func hugeFillChild(t *testing.T) {
	var b graph.Builder
	b.Placeholder("dims", tensor.Int32, graph.ShapeAttr{2})
	b.Const("one", tensor.Scalar(float32(1)))
	b.Add("fill", "Fill", []string{"dims", "one"}, map[string]any{"T": tensor.Float32, "index_type": tensor.Int32})
	b.Const("axes", i32s(0, 1))
	b.Add("sum", "Sum", []string{"fill", "axes"}, map[string]any{"T": tensor.Float32, "Tidx": tensor.Int32})
	b.Add("bcast", "BroadcastTo", []string{"one", "dims"}, map[string]any{"T": tensor.Float32, "Tidx": tensor.Int32})
	e, err := New(b.Graph())
	require.NoError(t, err)
	run := func(fetch string, dims ...int32) ([]*tensor.Tensor, error) {
		return e.Run(context.Background(), map[string]*tensor.Tensor{"dims": i32s(dims...)}, []string{fetch})
	}
	for _, c := range []struct {
		fetch string
		dims  []int32
	}{{"sum", []int32{1_000_000, 1_000_000}}, {"sum", []int32{300, 1 << 18}}, {"bcast", []int32{1 << 30, 1 << 30}}} {
		_, err := run(c.fetch, c.dims...)
		var tl *tensor.TooLargeError
		require.ErrorAs(t, err, &tl)
		fmt.Printf("child: %v\n", err)
	}
	out, err := run("sum", 1024, 1024)
	require.NoError(t, err)
	fmt.Printf("child: sum %d\n", int(tensor.Values[float32](out[0])[0]))
}

// BenchmarkCounterLoop measures the executor's own cost per iteration of
// a scalar loop (10,000 iterations per op).
func BenchmarkCounterLoop(b *testing.B) {
	g, fetch := counterLoop(10000, 0, 10)
	e, err := New(g)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Run(context.Background(), nil, []string{fetch}); err != nil {
			b.Fatal(err)
		}
	}
}

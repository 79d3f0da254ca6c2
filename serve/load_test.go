package serve

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/servingpb"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// loadClients is the concurrency of the load benchmark, as the issue sets.
const loadClients = 32

// BenchmarkServeLoad is the load test: loadClients concurrent gRPC clients
// send single-image Predict requests to the nsfwjs MobileNetV2 model over
// loopback, without and with dynamic batching. Every response is checked
// against a direct bridge run of the same image (exactly unbatched; within
// 1e-5 relative when merged runs change ONNX Runtime's kernels' batch);
// any error or mismatch fails. It reports requests/s and the p50 and p99
// latencies, the process's CPU time per request (server and clients: on a
// shared machine the fairer measure of what a request costs, since
// wall-clock throughput there depends on how many threads compete), the
// CPU time the model runs themselves take per row they compute (padding
// included; measured on the running thread, so the sessions run on one
// intra-op thread each) and, batched, the mean rows per model run. The model is
// compiled for every batch size before the timing starts. Run it for a
// fixed number of requests with
//
//	go test ./serve -run XXX -bench ServeLoad -benchtime 2000x
func BenchmarkServeLoad(b *testing.B) {
	base := modelBase(b, nsfwjs)
	direct, err := bridge.LoadSession(testutil.SharedModel(b, nsfwjs))
	require.NoError(b, err)
	defer direct.Close()
	const images = 8
	reqs := make([]*servingpb.PredictRequest, images)
	wants := make([]*tensor.Tensor, images)
	for i := range images {
		img := randomImages(1, uint64(i))
		out, err := direct.Run(context.Background(), map[string]*tensor.Tensor{"input:0": img}, []string{"Identity:0"})
		require.NoError(b, err)
		wants[i] = out[0]
		p, err := tensor.ToTFProto(img)
		require.NoError(b, err)
		reqs[i] = &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "nsfw"}, Inputs: map[string]*tfpb.TensorProto{"input:0": p}}
	}
	for _, mode := range []struct {
		name     string
		batching *BatchingConfig
	}{
		{"unbatched", nil},
		{"batched", &BatchingConfig{MaxBatchSize: loadClients, BatchTimeout: 2 * time.Millisecond, MaxEnqueuedBatches: 4, NumBatchThreads: 2}},
		{"batched-max8", &BatchingConfig{MaxBatchSize: 8, BatchTimeout: 2 * time.Millisecond, MaxEnqueuedBatches: 8, NumBatchThreads: 2}},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var runNanos, runRows atomic.Int64
			// Set before the server starts: a batcher keeps the run
			// function of its first request.
			wrapRun = func(run runFunc) runFunc {
				return func(ctx context.Context, feeds []*tensor.Tensor) ([]*tensor.Tensor, error) {
					runtime.LockOSThread()
					defer runtime.UnlockOSThread()
					t0 := threadCPUTime(b)
					outs, err := run(ctx, feeds)
					runNanos.Add(int64(threadCPUTime(b) - t0))
					runRows.Add(int64(feeds[0].Shape()[0]))
					return outs, err
				}
			}
			defer func() { wrapRun = nil }()
			// One intra-op thread per session: the runs' CPU time is then
			// their own thread's, and requests (or batches) in flight use
			// the cores.
			r := start(b, Config{Models: []ModelConfig{{Name: "nsfw", BasePath: base}}, Batching: mode.batching,
				SessionOptions: []bridge.Option{bridge.WithEngineOptions(engine.SessionOptions{IntraOpThreads: 1})}})
			tol := tensor.Tolerance{}
			if mode.batching != nil {
				tol = tensor.Tolerance{RTol: 1e-5, ATol: 1e-6}
			}
			var (
				mu        sync.Mutex
				latencies []time.Duration
				failures  []string
			)
			next := make(chan int, b.N)
			for i := range b.N {
				next <- i
			}
			close(next)
			// Warm up: compile the model for every batch size a run can
			// take, outside the timing.
			sizes := []int{1}
			if mode.batching != nil {
				sizes = mode.batching.batchSizes()
			}
			for _, n := range sizes {
				_, _, err := r.srv.Predict(context.Background(), ModelSpec{Name: "nsfw"}, map[string]*tensor.Tensor{"input:0": randomImages(n, 99)}, nil)
				require.NoError(b, err)
			}
			b.ReportAllocs()
			runNanos.Store(0)
			runRows.Store(0)
			b.ResetTimer()
			cpu0 := cpuTime(b)
			startAt := time.Now()
			var wg sync.WaitGroup
			for range loadClients {
				wg.Go(func() {
					var mine []time.Duration
					for i := range next {
						var resp servingpb.PredictResponse
						t0 := time.Now()
						err := r.grpc.Invoke(context.Background(), "/tensorflow.serving.PredictionService/Predict", reqs[i%images], &resp)
						mine = append(mine, time.Since(t0))
						if err == nil {
							var got *tensor.Tensor
							if got, err = tensor.FromTFProto(resp.GetOutputs()["Identity:0"]); err == nil {
								err = tensor.Compare(got, wants[i%images], tol)
							}
						}
						if err != nil {
							mu.Lock()
							failures = append(failures, fmt.Sprintf("request %d: %v", i, err))
							mu.Unlock()
						}
					}
					mu.Lock()
					latencies = append(latencies, mine...)
					mu.Unlock()
				})
			}
			wg.Wait()
			elapsed := time.Since(startAt)
			cpu := cpuTime(b) - cpu0
			b.StopTimer()
			if len(failures) > 0 {
				b.Fatalf("%d of %d requests failed or disagreed with the direct run; first: %s", len(failures), b.N, failures[0])
			}
			slices.Sort(latencies)
			pct := func(p float64) float64 {
				return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/req")
			b.ReportMetric(float64(runNanos.Load())/1e6/float64(runRows.Load()), "run-cpu-ms/row")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			if mode.batching != nil {
				_, metrics := r.do(b, "GET", "/metrics", "")
				var count, sum float64
				for line := range strings.SplitSeq(metrics, "\n") {
					fmt.Sscanf(line, `tfoffload_serve_batch_size_count{model="nsfw"} %g`, &count)
					fmt.Sscanf(line, `tfoffload_serve_batch_size_sum{model="nsfw"} %g`, &sum)
				}
				if count > 0 {
					b.ReportMetric(sum/count, "rows/run")
				}
			}
		})
	}
}

// threadCPUTime returns the CPU time the calling OS thread used so far.
func threadCPUTime(b *testing.B) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

// cpuTime returns the CPU time (user and system) the process used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	require.NoError(b, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

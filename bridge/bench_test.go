package bridge

import (
	"context"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/offload"
	"github.com/tfoffload/tfoffload/tensor"
)

// BenchmarkNSFW times MobileNetV2 (nsfwjs) three ways on one photo: through
// the bridge (offloaded to the CPU backend), as its converted whole-model
// ONNX file run directly on the engine, and on the Go executor alone. The
// "interleaved" case runs the three in turn within each iteration and
// reports the medians' ratios (bridge/engine should be at most 1.05), so
// load changes on a shared machine hit all three alike:
//
//	go test -run XXX -bench NSFW -count 6 ./bridge
func BenchmarkNSFW(b *testing.B) {
	enginetest.Require(b)
	shared := testutil.SharedModels(b)
	spec := testmodels.Models[0]
	m, err := graph.Load(filepath.Join(shared, spec.Path))
	if err != nil {
		b.Fatal(err)
	}
	img, err := testmodels.LoadImage(filepath.Join(shared, "images", "grace_hopper.jpg"), spec.Image, spec.DType)
	if err != nil {
		b.Fatal(err)
	}
	feeds := map[string]*tensor.Tensor{spec.Input: img}
	fetches := []string{spec.Output}
	ctx := context.Background()

	off, err := NewSession(m, WithOffload(true), WithBackend("CPU"), WithDynamicFallback(false), WithEngineOptions(engine.SessionOptions{DisableSpinning: true}))
	if err != nil {
		b.Fatal(err)
	}
	defer off.Close()
	plain, err := NewSession(m, WithOffload(false))
	if err != nil {
		b.Fatal(err)
	}
	direct := convertedSession(b, m, img, spec.Input, spec.Output)
	defer direct.Close()

	b.Run("bridge", func(b *testing.B) {
		benchRuns(b, func() error { _, err := off.Run(ctx, feeds, fetches); return err })
	})
	b.Run("engine", func(b *testing.B) {
		benchRuns(b, func() error { _, err := direct.Run(ctx, []*tensor.Tensor{img}); return err })
	})
	b.Run("executor", func(b *testing.B) {
		benchRuns(b, func() error { _, err := plain.Run(ctx, feeds, fetches); return err })
	})
	b.Run("interleaved", func(b *testing.B) {
		runs := []func() error{
			func() error { _, err := off.Run(ctx, feeds, fetches); return err },
			func() error { _, err := direct.Run(ctx, []*tensor.Tensor{img}); return err },
			func() error { _, err := plain.Run(ctx, feeds, fetches); return err },
		}
		times := make([][]float64, len(runs))
		order := []int{0, 1, 2}
		for b.Loop() {
			order[0], order[1] = order[1], order[0] // bridge and engine take turns going first
			for _, k := range order {
				// Collect the executor's garbage outside the timings, so
				// it is not charged to whichever run comes next.
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				start := time.Now()
				if err := runs[k](); err != nil {
					b.Fatal(err)
				}
				times[k] = append(times[k], float64(time.Since(start).Microseconds())/1000)
			}
		}
		med := make([]float64, len(runs))
		for k := range times {
			slices.Sort(times[k])
			med[k] = times[k][len(times[k])/2]
		}
		b.ReportMetric(med[0], "bridge-ms")
		b.ReportMetric(med[1], "engine-ms")
		b.ReportMetric(med[2], "executor-ms")
		b.ReportMetric(med[0]/med[1], "bridge/engine")
		b.ReportMetric(med[2]/med[0], "speedup")
	})
}

func benchRuns(b *testing.B, run func() error) {
	b.ReportAllocs()
	if err := run(); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
}

// convertedSession converts the whole model to ONNX (as `tfoffload
// convert` does) and compiles it with the bridge's engine settings.
func convertedSession(b *testing.B, m *graph.Model, x *tensor.Tensor, input, output string) *engine.Session {
	cl, err := clusters.WholeGraph(m.Graph, []string{input}, []string{output})
	if err != nil {
		b.Fatal(err)
	}
	r, err := offload.NewRunner(cl)
	if err != nil {
		b.Fatal(err)
	}
	comp, err := r.Compile(context.Background(), []*tensor.Tensor{x}, nil)
	if err != nil {
		b.Fatal(err)
	}
	sess, err := engine.NewSession(comp.ONNX, engine.SessionOptions{DisableSpinning: true})
	if err != nil {
		b.Fatal(err)
	}
	return sess
}

//go:build soak

package soak

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

var (
	duration   = flag.Duration("soak.duration", 3*time.Minute, "how long TestSoak runs")
	goroutines = flag.Int("soak.goroutines", 8, "goroutines running sessions concurrently")
	interval   = flag.Duration("soak.report", time.Minute, "how often progress and RSS are printed")
	cycles     = flag.Int("soak.cycles", 400, "load/run/close cycles of TestSessionChurn; the first half is the warm-up")
	rssGrowth  = flag.Float64("soak.rss-growth", 0.10, "allowed RSS growth after warm-up, as a fraction of the warm RSS (at least 64 MiB)")
)

// minRSSGrowth is the smallest RSS growth ever reported as a leak: the Go
// heap of concurrent runs of a CNN moves by tens of MiB between samples,
// and the C allocator's arenas settle by steps of about 30 MiB. A leak of
// a third of a MiB per churn cycle still shows after 200 cycles.
const minRSSGrowth = 64 << 20

// offloadTol is the agreement required between the offloaded and the
// executor-only reference (the bridge's real-model tolerance).
var offloadTol = tensor.Tolerance{RTol: 1e-3, ATol: 1e-4}

// model is one real model with its input, for the soak.
type model struct {
	name   string
	path   string // relative to the shared models folder
	input  string
	output string
	feed   func(t *testing.T, shared string) *tensor.Tensor
}

var models = []model{
	{name: "nsfwjs_mobilenet_v2 (TF.js)", path: "tfjs/nsfwjs_mobilenet_v2/model.json", input: "input:0", output: "Identity:0",
		feed: func(t *testing.T, shared string) *tensor.Tensor {
			spec := testmodels.Models[0]
			require.Equal(t, "nsfwjs_mobilenet_v2", spec.Name)
			img, err := testmodels.LoadImage(filepath.Join(shared, "images", "grace_hopper.jpg"), spec.Image, spec.DType)
			require.NoError(t, err)
			return img
		}},
	{name: "kws DS_CNN_S (frozen .pb)", path: "frozen/kws/DS_CNN_S.pb", input: "wav_data:0", output: "labels_softmax:0",
		feed: func(t *testing.T, shared string) *tensor.Tensor {
			wav, err := os.ReadFile(filepath.Join(shared, "frozen", "kws", "wav", "yes_1000ms.wav"))
			require.NoError(t, err)
			return tensor.Scalar(string(wav))
		}},
}

// job is one session the soak runs, with its feeds and reference result.
type job struct {
	name  string
	sess  *bridge.Session
	feeds map[string]*tensor.Tensor
	fetch []string
	ref   *tensor.Tensor
	runs  atomic.Int64
}

func (j *job) run(ctx context.Context) (*tensor.Tensor, error) {
	out, err := j.sess.Run(ctx, j.feeds, j.fetch)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// sameBytes reports whether two tensors are identical: dtype, shape and
// every byte.
func sameBytes(a, b *tensor.Tensor) bool {
	return a.DType() == b.DType() && a.Shape().Equal(b.Shape()) && bytes.Equal(a.Bytes(), b.Bytes())
}

// offloaded returns the options of an offloaded session that must not
// fall back to the executor silently.
func offloaded() []bridge.Option {
	return []bridge.Option{bridge.WithBackend("CPU"), bridge.WithOffload(true), bridge.WithDynamicFallback(false)}
}

// loadJobs opens an executor-only and an offloaded session of every model
// and computes each reference once.
func loadJobs(t *testing.T, shared string) []*job {
	var jobs []*job
	for _, m := range models {
		feeds := map[string]*tensor.Tensor{m.input: m.feed(t, shared)}
		var pair [2]*job
		for i, mode := range []struct {
			name string
			opts []bridge.Option
		}{{"executor", []bridge.Option{bridge.WithOffload(false)}}, {"offloaded", offloaded()}} {
			s, err := bridge.LoadSession(filepath.Join(shared, m.path), mode.opts...)
			require.NoError(t, err, m.name)
			t.Cleanup(func() { assert.NoError(t, s.Close()) })
			j := &job{name: m.name + ", " + mode.name, sess: s, feeds: feeds, fetch: []string{m.output}}
			j.ref, err = j.run(context.Background())
			require.NoError(t, err, j.name)
			pair[i] = j
			jobs = append(jobs, j)
		}
		require.NoError(t, tensor.Compare(pair[1].ref, pair[0].ref, offloadTol), "%s: offloaded reference against the executor's", m.name)
		off, total := pair[1].sess.Plan().NonTrivial()
		t.Logf("%s: reference %v; %d of %d non-trivial nodes offloaded", m.name, pair[0].ref, off, total)
	}
	return jobs
}

// sample is one progress line.
type sample struct {
	at         time.Duration
	runs       int64
	errors     int64
	mismatches int64
	rss        int64
}

func (s sample) String() string {
	return fmt.Sprintf("%6s: %d runs (%.1f/s), %d errors, %d mismatches, RSS %d MiB",
		s.at.Round(time.Second), s.runs, float64(s.runs)/s.at.Seconds(), s.errors, s.mismatches, s.rss>>20)
}

// allowedRSS is the largest RSS accepted after warm-up at warm.
func allowedRSS(warm int64) int64 {
	return warm + max(int64(float64(warm)**rssGrowth), minRSSGrowth)
}

// TestSoak runs real models from many goroutines for -soak.duration and
// compares every result with its reference.
func TestSoak(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	jobs := loadJobs(t, shared)
	t.Logf("soak: %d goroutines for %v over %d sessions; report every %v; GOMAXPROCS=%d",
		*goroutines, *duration, len(jobs), *interval, runtime.GOMAXPROCS(0))

	var runs, errs, mismatches atomic.Int64
	var firstMu sync.Mutex
	var first []string // the first few failures, for the report
	note := func(format string, args ...any) {
		firstMu.Lock()
		defer firstMu.Unlock()
		if len(first) < 5 {
			first = append(first, fmt.Sprintf(format, args...))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for g := range *goroutines {
		wg.Go(func() {
			for k := g; ctx.Err() == nil; k++ {
				j := jobs[k%len(jobs)]
				got, err := j.run(context.Background()) // a started run finishes; the deadline stops the loop
				runs.Add(1)
				j.runs.Add(1)
				switch {
				case err != nil:
					errs.Add(1)
					note("%s: %v", j.name, err)
				case !sameBytes(got, j.ref):
					mismatches.Add(1)
					note("%s: got %v, want %v", j.name, got, j.ref)
				}
			}
		})
	}

	take := func() sample {
		rss, err := RSS()
		require.NoError(t, err)
		return sample{at: time.Since(start), runs: runs.Load(), errors: errs.Load(), mismatches: mismatches.Load(), rss: rss}
	}
	var samples []sample
	tick := time.NewTicker(*interval)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
wait:
	for {
		select {
		case <-tick.C:
			s := take()
			samples = append(samples, s)
			t.Logf("soak %s", s)
		case <-done:
			break wait
		}
	}
	tick.Stop()
	end := take()
	t.Logf("soak end %s", end)
	for _, j := range jobs {
		t.Logf("  %-40s %d runs", j.name, j.runs.Load())
	}
	for _, f := range first {
		t.Logf("  failure: %s", f)
	}

	assert.Zero(t, end.errors, "errors")
	assert.Zero(t, end.mismatches, "mismatches")
	for _, j := range jobs {
		assert.Positive(t, j.runs.Load(), "%s never ran", j.name)
		if j.sess.BackendName() != "" {
			st := j.sess.Stats()
			assert.Positive(t, st.NonTrivialOffloaded, "%s offloads", j.name)
			for _, c := range st.Clusters {
				assert.False(t, c.FellBack, "%s: cluster %d fell back", j.name, c.ID)
			}
		}
	}
	if len(samples) < 2 {
		t.Logf("soak: no RSS check: it needs two reports (the first is the warm-up); run longer than 2×%v", *interval)
		return
	}
	warm := samples[0].rss
	limit := allowedRSS(warm)
	for _, s := range append(samples[1:], end) {
		assert.LessOrEqual(t, s.rss, limit, "RSS at %v: %d MiB, warm %d MiB, allowed %d MiB", s.at.Round(time.Second), s.rss>>20, warm>>20, limit>>20)
	}
	t.Logf("soak: RSS warm %d MiB, highest after %d MiB, allowed %d MiB", warm>>20, maxRSS(append(samples[1:], end))>>20, limit>>20)
}

func maxRSS(ss []sample) int64 {
	var m int64
	for _, s := range ss {
		m = max(m, s.rss)
	}
	return m
}

// TestSessionChurn loads, runs and closes offloaded sessions many times:
// open files must come back to their count and the RSS must stay within
// the allowed growth.
func TestSessionChurn(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	feeds := make([]map[string]*tensor.Tensor, len(models))
	for i, m := range models {
		feeds[i] = map[string]*tensor.Tensor{m.input: m.feed(t, shared)}
	}
	cycle := func(k int) {
		m := models[k%len(models)]
		s, err := bridge.LoadSession(filepath.Join(shared, m.path), offloaded()...)
		require.NoError(t, err)
		_, err = s.Run(context.Background(), feeds[k%len(models)], []string{m.output})
		require.NoError(t, err)
		require.NoError(t, s.Close())
	}
	measure := func() (int64, int) {
		debug.FreeOSMemory() // what stays is in use, or held by C allocators
		rss, err := RSS()
		require.NoError(t, err)
		fds, err := OpenFDs()
		require.NoError(t, err)
		return rss, fds
	}
	// The C allocator's arenas, which ONNX Runtime's sessions go through,
	// take about 200 cycles of these two models to reach their size.
	warmup := *cycles / 2
	for k := range warmup {
		cycle(k)
	}
	warmRSS, warmFDs := measure()
	t.Logf("churn: after %d warm-up cycles: RSS %d MiB, %d open files", warmup, warmRSS>>20, warmFDs)
	start, peak := time.Now(), warmRSS
	for k := warmup; k < *cycles; k++ {
		cycle(k)
		if n := k - warmup + 1; n%50 == 0 || k == *cycles-1 {
			rss, fds := measure()
			peak = max(peak, rss)
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			t.Logf("churn: %4d cycles after warm-up (%.1f/s): RSS %d MiB (Go heap in use %d MiB, Go total %d MiB), %d open files",
				n, float64(n)/time.Since(start).Seconds(), rss>>20, ms.HeapInuse>>20, (ms.Sys-ms.HeapReleased)>>20, fds)
			assert.Equal(t, warmFDs, fds, "open files after %d cycles", k+1)
		}
	}
	end, _ := measure()
	assert.LessOrEqual(t, peak, allowedRSS(warmRSS), "RSS peak after warm-up: %d MiB, warm %d MiB", peak>>20, warmRSS>>20)
	t.Logf("churn: RSS warm %d MiB, end %d MiB, peak %d MiB, allowed %d MiB", warmRSS>>20, end>>20, peak>>20, allowedRSS(warmRSS)>>20)
}

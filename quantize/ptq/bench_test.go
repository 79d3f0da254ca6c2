package ptq

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
)

// benchSettings are BenchmarkQuantized's {batch, threads} pairs.
var benchSettings = [][2]int{{1, 0}, {1, 1}, {8, 0}, {8, 1}}

// batchOf stacks copies of imgs (each [1, ...]) into one [n, ...] tensor.
func batchOf(t testing.TB, imgs []*tensor.Tensor, n int) *tensor.Tensor {
	t.Helper()
	one := imgs[0].Shape()
	shape := append(tensor.Shape{n}, one[1:]...)
	var raw []byte
	for i := range n {
		raw = append(raw, imgs[i%len(imgs)].Bytes()...)
	}
	out, err := tensor.FromBytes(imgs[0].DType(), shape, raw)
	require.NoError(t, err)
	return out
}

// BenchmarkQuantized runs the float32 and the Int8 offloaded model
// interleaved, one run of each per iteration, at batch 1 and 8, and
// reports each one's median latency and the speedup: on a shared,
// noisy machine alternating runs is what makes them comparable.
//
// Each batch size runs with ONNX Runtime's process-wide pool (threads=0,
// one thread per core) and with a session pool of one thread (threads=1:
// one request per core, as a server runs it).
func BenchmarkQuantized(b *testing.B) {
	enginetest.Require(b)
	shared := testutil.SharedModels(b)
	for _, name := range []string{"nsfwjs_mobilenet_v2", "movenet-lightning"} {
		tm := testModel(b, name)
		m, err := graph.Load(filepath.Join(shared, tm.Path))
		require.NoError(b, err)
		imgs := photos(b, shared, tm)
		var calib []map[string]*tensor.Tensor
		for _, img := range imgs {
			calib = append(calib, map[string]*tensor.Tensor{tm.Input: img})
		}
		fetch := fetchOf(tm, m)
		res, err := Quantize(context.Background(), m, Config{Mode: quantize.Int8, Method: quantize.MinMax, Calib: calib, MaxDrop: -1, Fetch: fetch})
		require.NoError(b, err)
		for _, bt := range benchSettings {
			batch, threads := bt[0], bt[1]
			feeds := map[string]*tensor.Tensor{tm.Input: batchOf(b, imgs, batch)}
			b.Run(fmt.Sprintf("%s/batch=%d/threads=%d", name, batch, threads), func(b *testing.B) {
				var sessions [2]*bridge.Session
				for i, plan := range []*quantize.Plan{nil, res.Plan} {
					s, err := bridge.NewSession(m, bridge.WithOffload(true), bridge.WithDynamicFallback(false), bridge.WithOutputs(fetch), bridge.WithPrecision(plan),
						bridge.WithEngineOptions(engine.SessionOptions{IntraOpThreads: threads}))
					require.NoError(b, err)
					defer s.Close()
					if _, err := s.Run(context.Background(), feeds, []string{fetch}); err != nil {
						b.Skipf("batch %d: %v", batch, err) // MoveNet takes batch 1 only
					}
					sessions[i] = s
				}
				var times [2][]time.Duration
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					for i, s := range sessions {
						start := time.Now()
						if _, err := s.Run(context.Background(), feeds, []string{fetch}); err != nil {
							b.Fatal(err)
						}
						times[i] = append(times[i], time.Since(start))
					}
				}
				fp32, int8 := median(times[0]), median(times[1])
				b.ReportMetric(float64(fp32.Microseconds())/1000, "fp32-ms")
				b.ReportMetric(float64(int8.Microseconds())/1000, "int8-ms")
				b.ReportMetric(float64(fp32)/float64(int8), "speedup")
				b.ReportMetric(float64(batch)*float64(time.Second)/float64(int8), "int8-inputs/s")
			})
		}
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

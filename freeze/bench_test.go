package freeze

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// largestSavedModel returns the shared SavedModel with the largest
// checkpoint data and that size.
func largestSavedModel(tb testing.TB) (string, int64) {
	root := filepath.Join(testutil.SharedModels(tb), "savedmodel")
	best, size := "", int64(0)
	_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(filepath.Dir(path)) != "variables" {
			return err
		}
		if fi, err := d.Info(); err == nil && fi.Size() > size && filepath.Ext(path) != ".index" {
			best, size = filepath.Dir(filepath.Dir(path)), fi.Size()
		}
		return nil
	})
	if best == "" {
		tb.Skip("no SavedModel with variables")
	}
	return best, size
}

// peakHeap runs f and returns the largest growth of the live heap seen
// while it ran, sampled every 100µs.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var s runtime.MemStats
		for {
			runtime.ReadMemStats(&s)
			if s.HeapAlloc > base && s.HeapAlloc-base > peak.Load() {
				peak.Store(s.HeapAlloc - base)
			}
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	return peak.Load()
}

// BenchmarkFreezeLargest freezes the loaded shared SavedModel with the
// most weights, as bridge does on load, and reports the peak heap growth
// and its ratio to the checkpoint's data.
func BenchmarkFreezeLargest(b *testing.B) {
	dir, size := largestSavedModel(b)
	b.Logf("%s: %d bytes of checkpoint data", filepath.Base(dir), size)
	m, err := graph.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if _, _, err := Model(m); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak), "peak-heap-B")
	b.ReportMetric(float64(peak)/float64(size), "peak/weights")
}

// weightsModel is a one-MatMul model whose variable, restored by name,
// holds rows×16 floats.
func weightsModel(tb testing.TB, rows int) (*graph.Model, int64) {
	dir := tb.TempDir()
	w := tensor.MustNew(tensor.Float32, tensor.Shape{rows, 16})
	for i := range tensor.Values[float32](w) {
		tensor.Values[float32](w)[i] = float32(i % 251)
	}
	writeBundle(tb, filepath.Join(dir, "variables"), map[string]*tensor.Tensor{"w": w})
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1, int64(rows)})
	b.Add("w", "VariableV2", nil, map[string]any{"dtype": tensor.Float32, "shape": graph.ShapeAttr{int64(rows), 16}})
	b.Add("w/read", "Identity", []string{"w"}, map[string]any{"T": tensor.Float32})
	b.Add("y", "MatMul", []string{"x", "w/read"}, map[string]any{"T": tensor.Float32})
	m := &graph.Model{Path: dir, Format: graph.FormatSavedModel, Graph: b.Graph(), Variables: []string{"w"},
		CheckpointPrefix: filepath.Join(dir, "variables"),
		Signatures: []graph.Signature{{Key: "serving_default",
			Inputs:  []graph.TensorInfo{{Key: "x", Name: "x:0", DType: tensor.Float32}},
			Outputs: []graph.TensorInfo{{Key: "y", Name: "y:0", DType: tensor.Float32}}}}}
	return m, int64(rows) * 16 * 4
}

// TestFreezeHoldsWeightsOnce freezes 32 MiB of weights: the heap must not
// grow by much more than the weights themselves, which go from the
// checkpoint into the frozen graph's constant without a copy.
func TestFreezeHoldsWeightsOnce(t *testing.T) {
	m, size := weightsModel(t, 1<<19)
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	var fm *graph.Model
	peak := peakHeap(func() {
		var err error
		fm, _, err = Model(m)
		if err != nil {
			t.Error(err)
		}
	})
	require.NotNil(t, fm)
	t.Logf("peak heap growth %d bytes for %d bytes of weights (%.2fx)", peak, size, float64(peak)/float64(size))
	assert.Less(t, float64(peak), 1.5*float64(size))
	runtime.KeepAlive(fm)
}

// BenchmarkFreezeWeights reports the peak heap growth of freezing a model
// of 64 MiB of weights, relative to the weights.
func BenchmarkFreezeWeights(b *testing.B) {
	m, size := weightsModel(b, 1<<20)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			if _, _, err := Model(m); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak)/float64(size), "peak/weights")
}

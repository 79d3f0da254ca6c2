package freeze

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
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

// BenchmarkFreezeLargest freezes the shared SavedModel with the most
// weights, as bridge does on load, and reports the peak heap growth and
// its ratio to the checkpoint's data.
func BenchmarkFreezeLargest(b *testing.B) {
	dir, size := largestSavedModel(b)
	b.Logf("%s: %d bytes of checkpoint data", filepath.Base(dir), size)
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(func() {
			m, err := graph.Load(dir)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := Model(m); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.ReportMetric(float64(peak), "peak-heap-B")
	b.ReportMetric(float64(peak)/float64(size), "peak/weights")
}

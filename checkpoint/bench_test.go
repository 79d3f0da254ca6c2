package checkpoint

import (
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// largestCheckpoint returns the prefix of the checkpoint under
// ../shared/models with the most data bytes, and its size (index and
// shards).
func largestCheckpoint(tb testing.TB) (string, int64) {
	tb.Helper()
	best, bestSize := "", int64(-1)
	for _, prefix := range sharedCheckpoints(tb) {
		var size int64
		for _, suffix := range []string{".index", shard0} {
			if fi, err := os.Stat(prefix + suffix); err == nil {
				size += fi.Size()
			}
		}
		if size > bestSize {
			best, bestSize = prefix, size
		}
	}
	return best, bestSize
}

// readAll opens a checkpoint and reads every tensor.
func readAll(tb testing.TB, prefix string) {
	r, err := Open(prefix)
	require.NoError(tb, err)
	defer r.Close()
	for _, k := range r.Keys() {
		_, err := r.Tensor(k)
		require.NoError(tb, err)
	}
}

// allocatedBy returns the bytes the Go heap allocated while f ran.
func allocatedBy(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// BenchmarkReadLargest opens the largest checkpoint here and reads all its
// tensors. alloc/ckpt-byte is the bytes allocated per byte of checkpoint
// files: about 1 means every byte is read once, into the tensor that keeps
// it.
func BenchmarkReadLargest(b *testing.B) {
	prefix, size := largestCheckpoint(b)
	b.ReportAllocs()
	b.SetBytes(size)
	var total uint64
	for b.Loop() {
		total += allocatedBy(func() { readAll(b, prefix) })
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(size), "alloc/ckpt-byte")
}

// TestReadAllocatesOnce checks that reading a checkpoint allocates about
// its size once: no second copy of the tensor bytes.
func TestReadAllocatesOnce(t *testing.T) {
	prefix, size := largestCheckpoint(t)
	readAll(t, prefix) // warm up: package-level state, file system caches
	got := allocatedBy(func() { readAll(t, prefix) })
	t.Logf("%s: %d bytes allocated for %d bytes of checkpoint (%.3f×)", prefix, got, size, float64(got)/float64(size))
	require.Less(t, float64(got), 1.1*float64(size))
}

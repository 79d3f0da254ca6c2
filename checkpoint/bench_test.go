package checkpoint

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tfoffload/tfoffload/internal/testutil"
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
		total += testutil.AllocatedBy(func() { readAll(b, prefix) })
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(size), "alloc/ckpt-byte")
}

// TestReadAllocatesOnce checks that reading a checkpoint allocates about
// its size once: no second copy of the tensor bytes.
func TestReadAllocatesOnce(t *testing.T) {
	prefix, size := largestCheckpoint(t)
	readAll(t, prefix) // warm up: package-level state, file system caches
	got := testutil.AllocatedBy(func() { readAll(t, prefix) })
	t.Logf("%s: %d bytes allocated for %d bytes of checkpoint (%.3f×)", prefix, got, size, float64(got)/float64(size))
	require.Less(t, float64(got), 1.1*float64(size))
}

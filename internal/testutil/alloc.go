package testutil

import "runtime"

// AllocatedBy returns the bytes the Go heap allocated while f ran
// (runtime.MemStats.TotalAlloc), for tests that bound how often a reader
// copies its input.
func AllocatedBy(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneGC: fewer collections and a bound on the heap, unless the user
// tuned the garbage collector.
func TestTuneGC(t *testing.T) {
	restore := func(percent int, limit int64) {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
	defer restore(debug.SetGCPercent(100), debug.SetMemoryLimit(-1))

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	restore(100, 1<<62)
	tuneGC()
	if percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1); percent != gcPercent || limit != heapLimit {
		t.Errorf("GC percent %d, memory limit %d; want %d, %d", percent, limit, gcPercent, heapLimit)
	}

	t.Setenv("GOGC", "50")
	restore(100, 1<<62)
	tuneGC()
	if percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1); percent != 100 || limit != 1<<62 {
		t.Errorf("with GOGC set: GC percent %d, memory limit %d; want them untouched", percent, limit)
	}
}

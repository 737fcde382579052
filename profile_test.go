package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestHeapPeakKeepsTheLargestHeap: the peak profile is written when the
// live heap grows, and a smaller heap later does not overwrite it.
func TestHeapPeakKeepsTheLargestHeap(t *testing.T) {
	peak := &heapPeak{path: filepath.Join(t.TempDir(), "heap-peak.pprof")}
	const big = 64 << 20
	held := make([]byte, big)
	runtime.GC()
	peak.sample()
	runtime.KeepAlive(held)
	written, err := os.Stat(peak.path)
	if err != nil {
		t.Fatalf("no peak profile with %d MiB live: %v", big>>20, err)
	}
	if peak.bytes < big {
		t.Errorf("peak recorded %d bytes live, want at least %d", peak.bytes, big)
	}

	runtime.GC()
	if err := os.Remove(peak.path); err != nil {
		t.Fatal(err)
	}
	peak.sample()
	if _, err := os.Stat(peak.path); !os.IsNotExist(err) {
		t.Errorf("a smaller heap rewrote the peak profile (first written at %s): %v", written.ModTime(), err)
	}
}

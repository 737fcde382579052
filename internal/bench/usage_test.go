package main

import (
	"testing"
	"time"
)

func TestProcessCPU(t *testing.T) {
	// A command name with spaces and a ')' of its own; utime 1234 and stime
	// 66 ticks.
	stat := []byte("4242 (terraform (x) y) S 1 4242 4242 0 -1 4194560 1500 0 0 0 1234 66 0 0 20 0 12 0 100 0 0")
	got, ok := processCPU(stat)
	if !ok || got != 13*time.Second {
		t.Fatalf("processCPU = %v, %v; want 13s", got, ok)
	}
	if _, ok := processCPU([]byte("4242 (short) S 1")); ok {
		t.Fatal("a truncated stat line was read")
	}
}

func TestStatusKB(t *testing.T) {
	status := []byte("Name:\tterraform-provi\nVmHWM:\t  108544 kB\nRssAnon:\t   37120 kB\n")
	if got := statusKB(status, "VmHWM:"); got != 108544<<10 {
		t.Errorf("VmHWM = %d", got)
	}
	if got := statusKB(status, "RssAnon:"); got != 37120<<10 {
		t.Errorf("RssAnon = %d", got)
	}
	if got := statusKB(status, "VmSwap:"); got != 0 {
		t.Errorf("a missing field = %d", got)
	}
}

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

func TestBusyTime(t *testing.T) {
	// user 100, nice 2, system 30, idle 5000, iowait 40, irq 3, softirq 5,
	// steal 7, guest 50 (inside user), guest_nice 0.
	stat := []byte("cpu  100 2 30 5000 40 3 5 7 50 0\ncpu0 50 1 15 2500 20 1 2 3 25 0\n")
	if got, want := busyTime(stat), 140*clockTick; got != want {
		t.Fatalf("busyTime = %v, want %v", got, want)
	}
}

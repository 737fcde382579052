package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// profileDirEnv names a folder for profiles of the provider process, which
// Terraform starts (so no flag can reach it): see the README's development
// section.
const profileDirEnv = "FLEET_PROVIDER_PROFILE_DIR"

// peakSampleInterval is how often the live heap is checked for a new peak.
const peakSampleInterval = 250 * time.Millisecond

// startProfiles starts a CPU profile when profileDirEnv is set, and returns
// what ends it and writes a heap profile too, as cpu-<pid>.pprof and
// heap-<pid>.pprof: Terraform may start several provider processes. While
// it runs, heap-peak-<pid>.pprof holds the heap at its largest: what the
// process holds when Terraform stops it is not what made it big.
func startProfiles() (stop func()) {
	dir := os.Getenv(profileDirEnv)
	if dir == "" {
		return func() {}
	}
	name := func(kind string) string { return filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", kind, os.Getpid())) }
	cpu, err := os.Create(name("cpu"))
	if err != nil {
		log.Printf("%s: %v", profileDirEnv, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		log.Printf("%s: %v", profileDirEnv, err)
	}
	peak := &heapPeak{path: name("heap-peak")}
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(peakSampleInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				peak.sample()
			}
		}
	}()
	return func() {
		close(done)
		<-sampled
		pprof.StopCPUProfile()
		_ = cpu.Close()
		runtime.GC() // the heap profile shows what is live after the last GC
		writeHeapProfile(name("heap"))
	}
}

// heapPeak keeps the heap profile of the largest live heap seen.
type heapPeak struct {
	path  string
	bytes uint64 // the live heap when path was last written
}

// liveHeap is the runtime metric of the heap that the last GC found live:
// what a heap profile, also as of the last GC, accounts for.
const liveHeap = "/gc/heap/live:bytes"

// sample writes the heap profile when the live heap has grown by a tenth
// since it was last written: a profile costs a walk of the heap's sample
// records, too much for every small rise.
func (p *heapPeak) sample() {
	m := []metrics.Sample{{Name: liveHeap}}
	metrics.Read(m)
	live := m[0].Value.Uint64()
	if live <= p.bytes+p.bytes/10 {
		return
	}
	p.bytes = live
	writeHeapProfile(p.path)
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		log.Printf("%s: %v", profileDirEnv, err)
		return
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		log.Printf("%s: %v", profileDirEnv, err)
	}
}

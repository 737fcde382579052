package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// profileDirEnv names a folder for profiles of the provider process, which
// Terraform starts (so no flag can reach it): see the README's development
// section.
const profileDirEnv = "FLEET_PROVIDER_PROFILE_DIR"

// startProfiles starts a CPU profile when profileDirEnv is set, and returns
// what ends it and writes a heap profile too, as cpu-<pid>.pprof and
// heap-<pid>.pprof: Terraform may start several provider processes.
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
	return func() {
		pprof.StopCPUProfile()
		_ = cpu.Close()
		heap, err := os.Create(name("heap"))
		if err != nil {
			log.Printf("%s: %v", profileDirEnv, err)
			return
		}
		defer heap.Close()
		runtime.GC() // the heap profile shows what is live after the last GC
		if err := pprof.WriteHeapProfile(heap); err != nil {
			log.Printf("%s: %v", profileDirEnv, err)
		}
	}
}

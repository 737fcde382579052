package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// usage is what one terraform command cost.
type usage struct {
	wall time.Duration
	// peakRSS is the highest VmHWM of a provider process; peakAnon the
	// highest RssAnon seen: RSS also counts the binary's pages, which the
	// page cache shares and can drop, anonymous memory is the process's own.
	peakRSS, peakAnon int64
	// providerCPU is the CPU time of the provider processes; terraformCPU
	// that of the terraform process itself; machineCPU that of every
	// process on the machine, the control plane's included.
	providerCPU, terraformCPU, machineCPU time.Duration
}

// otherCPU is what the rest of the machine spent, mostly the control plane
// answering (kube-apiserver, etcd) and Fleet's controllers reacting.
func (u usage) otherCPU() time.Duration { return max(0, u.machineCPU-u.terraformCPU-u.providerCPU) }

// clockTick is the unit of the CPU times in /proc (USER_HZ), 100 on Linux.
const clockTick = 10 * time.Millisecond

// sampler follows, every 50 ms, the processes running one of the provider
// binaries: Terraform starts the providers and reaps them itself, so /proc
// is where their memory and CPU time can be read while they run. The CPU a
// provider spends in its last 50 ms is missed; the machine's and
// Terraform's are exact.
type sampler struct {
	binaries []string
	done     chan struct{}
	wg       sync.WaitGroup
	busy     time.Duration // the machine's, when the sampler started

	peakRSS, peakAnon int64
	cpu               map[int]time.Duration // by provider pid, as last seen
}

func newSampler(binaries []string) *sampler {
	s := &sampler{binaries: binaries, done: make(chan struct{}), busy: machineBusy(), cpu: map[int]time.Duration{}}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-s.done:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// stop ends the sampling; terraform is the finished terraform command.
func (s *sampler) stop(terraform *os.ProcessState) usage {
	close(s.done)
	s.wg.Wait()
	u := usage{peakRSS: s.peakRSS, peakAnon: s.peakAnon, machineCPU: machineBusy() - s.busy}
	for _, cpu := range s.cpu {
		u.providerCPU += cpu
	}
	if terraform != nil {
		// The rusage of a reaped process includes the children it reaped:
		// the providers.
		if ru, ok := terraform.SysUsage().(*syscall.Rusage); ok {
			all := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			u.terraformCPU = max(0, all-u.providerCPU)
		}
	}
	return u
}

func (s *sampler) sample() {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		if exe, err := os.Readlink(filepath.Join(dir, "exe")); err != nil || !slices.Contains(s.binaries, exe) {
			continue
		}
		if status, err := os.ReadFile(filepath.Join(dir, "status")); err == nil {
			s.peakRSS = max(s.peakRSS, statusKB(status, "VmHWM:"))
			s.peakAnon = max(s.peakAnon, statusKB(status, "RssAnon:"))
		}
		if stat, err := os.ReadFile(filepath.Join(dir, "stat")); err == nil {
			if cpu, ok := processCPU(stat); ok {
				s.cpu[pid] = cpu
			}
		}
	}
}

// statusKB returns a "kB" field of /proc/<pid>/status in bytes.
func statusKB(status []byte, field string) int64 {
	for _, line := range bytes.Split(status, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(field)); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(rest)), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// processCPU returns utime+stime of a /proc/<pid>/stat line. Its fields
// are counted after the command name, which may hold spaces and is closed
// by the last ')'.
func processCPU(stat []byte) (time.Duration, bool) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, false
	}
	fields := strings.Fields(string(stat[end+1:]))
	// fields[0] is the state (field 3 of proc(5)); utime and stime are
	// fields 14 and 15.
	if len(fields) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * clockTick, true
}

// machineBusy is the CPU time every CPU of the machine has spent not idle.
func machineBusy() time.Duration {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	return busyTime(data)
}

// busyTime reads the first line of /proc/stat, "cpu user nice system idle
// iowait irq softirq steal guest guest_nice": user, nice, system, irq and
// softirq (guest time is counted in user already; steal is the
// hypervisor's).
func busyTime(stat []byte) time.Duration {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	fields := strings.Fields(string(line))
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		if i < len(fields) {
			v, _ := strconv.ParseInt(fields[i], 10, 64)
			busy += v
		}
	}
	return time.Duration(busy) * clockTick
}

// settle waits until the machine is quiet, for at most limit, and reports
// how long it waited and whether it became quiet: after an apply, Fleet's
// controllers go on reacting to the new objects (a thousand Clusters keep
// them busy for a minute or more), and a plan measured meanwhile would
// measure them. Quiet is under a fifth of one CPU busy over two seconds.
func settle(ctx context.Context, limit time.Duration) (time.Duration, bool) {
	const window = 2 * time.Second
	started := time.Now()
	for time.Since(started) < limit {
		before := machineBusy()
		select {
		case <-ctx.Done():
			return time.Since(started), false
		case <-time.After(window):
		}
		if machineBusy()-before < window/5 {
			return time.Since(started), true
		}
	}
	return time.Since(started), false
}

package testenv

import (
	"os"
	"syscall"
)

// CheckPlatform is nil on Linux, the one platform the test environment runs
// on; elsewhere it says so.
func CheckPlatform() error { return nil }

// ownProcessGroup puts a child in a process group of its own, so killing the
// group reaches the helpers it spawns, and has the kernel kill it when this
// process dies unexpectedly.
func ownProcessGroup() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends SIGTERM, or SIGKILL when kill is set, to the process
// group that pgid leads.
func signalGroup(pgid int, kill bool) error {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	return syscall.Kill(-pgid, sig)
}

// tryLock takes an exclusive flock on f without waiting.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

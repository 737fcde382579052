package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// process is one binary of the control plane, started with its output in a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // set before done is closed
}

// startProcess starts bin with args and extra environment. Its output goes to
// logDir/<name>.log. The child gets its own process group, so stop() reaches the
// helpers it spawns, and the kernel kills it if this process dies unexpectedly.
// The child inherits the open files in inherit (e.g. a held lock, which then
// lasts as long as the child).
func startProcess(logDir, name, bin string, args, env []string, inherit ...*os.File) (*process, error) {
	return launch(filepath.Join(logDir, name+".log"), name, "", bin, args, append(os.Environ(), env...), inherit...)
}

// launch starts bin with exactly the environment environ, in workDir (empty:
// this process's), appending its output to logPath.
func launch(logPath, name, workDir, bin string, args, environ []string, inherit ...*os.File) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = environ
	cmd.Dir = workDir
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = ownProcessGroup()
	cmd.ExtraFiles = inherit
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended, with its error.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		if p.err == nil {
			return true, errors.New("exited")
		}
		return true, p.err
	default:
		return false, nil
	}
}

// stop sends SIGTERM to the process group, and SIGKILL after a grace period.
func (p *process) stop(grace time.Duration) {
	if done, _ := p.exited(); done {
		return
	}
	pgid := p.cmd.Process.Pid
	_ = signalGroup(pgid, false)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = signalGroup(pgid, true)
		<-p.done
	}
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

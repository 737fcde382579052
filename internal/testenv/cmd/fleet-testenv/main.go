//go:build linux

// Command fleet-testenv runs the test control plane in the background for
// `make testenv-up`, `make demo` and `make test`, and stops it again.
//
//	fleet-testenv up   -dir .testenv   start it; returns once it is ready
//	                   [-fleet-install provider]  bare: Fleet is installed by its charts (testenv.FleetInstalledByProvider)
//	fleet-testenv down -dir .testenv   stop it and every process it started
//	fleet-testenv status -dir .testenv exit 0 when it runs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	dir := fs.String("dir", ".testenv", "folder for the kubeconfigs, the env file, data and logs")
	install := fs.String("fleet-install", string(testenv.FleetInstalledByTestenv),
		"who installs Fleet upstream: testenv (its CRDs and controllers, started here) or provider (a bare control plane whose Fleet Deployments the kubelet stand-in runs)")
	_ = fs.Parse(os.Args[2:])
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail(err)
	}
	switch os.Args[1] {
	case "up":
		err = up(abs, *install)
	case "serve":
		err = serve(abs, testenv.FleetInstall(*install))
	case "down":
		err = down(abs)
	case "status":
		pid, ok := running(abs)
		if !ok {
			fmt.Println("testenv is not running")
			os.Exit(1)
		}
		fmt.Printf("testenv is running (pid %d); env: %s\n", pid, envFile(abs))
	default:
		usage()
	}
	if err != nil {
		fail(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fleet-testenv up|down|status [-dir .testenv] [-fleet-install testenv|provider]")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fleet-testenv:", err)
	os.Exit(1)
}

func pidFile(dir string) string { return filepath.Join(dir, "testenv.pid") }
func envFile(dir string) string { return filepath.Join(dir, "env") }
func logFile(dir string) string { return filepath.Join(dir, "testenv.log") }

// up starts `serve` detached from this process and follows its log until the
// environment is ready or the server has failed.
func up(dir, install string) error {
	if pid, ok := running(dir); ok {
		fmt.Printf("testenv already running (pid %d); env: %s\n", pid, envFile(dir))
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	_ = os.Remove(envFile(dir))
	log, err := os.Create(logFile(dir))
	if err != nil {
		return err
	}
	defer log.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(self, "serve", "-dir", dir, "-fleet-install", install)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	follow, err := os.Open(logFile(dir))
	if err != nil {
		return err
	}
	defer follow.Close()
	for {
		_, _ = io.Copy(os.Stdout, follow)
		if _, err := os.Stat(envFile(dir)); err == nil {
			_, _ = io.Copy(os.Stdout, follow)
			fmt.Printf("testenv is up (pid %d). Use it with: source %s\n", cmd.Process.Pid, envFile(dir))
			return nil
		}
		select {
		case err := <-exited:
			_, _ = io.Copy(os.Stdout, follow)
			return fmt.Errorf("the environment did not start (%v); log: %s", err, logFile(dir))
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// serve runs the environment in the foreground until SIGTERM or SIGINT.
func serve(dir string, install testenv.FleetInstall) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	runDir := filepath.Join(dir, "run")
	_ = os.RemoveAll(runDir)
	env, err := testenv.Start(ctx, testenv.Options{Dir: runDir, Log: os.Stdout, FleetInstall: install})
	if err != nil {
		return err
	}
	defer env.Stop()
	for name, cluster := range map[string]*testenv.Cluster{"upstream": env.Upstream, "downstream": env.Downstream} {
		data, err := os.ReadFile(cluster.Kubeconfig)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".kubeconfig"), data, 0o600); err != nil {
			return err
		}
	}
	if err := os.WriteFile(pidFile(dir), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	// The env file is the readiness signal `up` waits for: write it last.
	if err := env.WriteEnvFile(envFile(dir)); err != nil {
		return err
	}
	<-ctx.Done()
	fmt.Println("testenv: stopping")
	_ = os.Remove(envFile(dir))
	_ = os.Remove(pidFile(dir))
	return nil
}

// down stops the server and waits until it, and so every process it
// started, has exited.
func down(dir string) error {
	pid, ok := running(dir)
	if !ok {
		fmt.Println("testenv is not running")
		_ = os.Remove(envFile(dir))
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			fmt.Println("testenv stopped")
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The control plane children die with it (parent-death signal).
	_ = syscall.Kill(pid, syscall.SIGKILL)
	return errors.New("testenv did not stop within 60s and was killed")
}

func running(dir string) (int, bool) {
	data, err := os.ReadFile(pidFile(dir))
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || !alive(pid) {
		return 0, false
	}
	return pid, true
}

// alive reports whether pid is a running fleet-testenv (not a zombie, and not
// an unrelated process that reused the number).
func alive(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat))
	return len(fields) > 2 && fields[2] != "Z" && strings.Contains(fields[1], "fleet-testenv")
}

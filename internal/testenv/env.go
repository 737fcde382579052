// Package testenv runs a real Fleet control plane on loopback for acceptance
// tests and the demo: an upstream (management) cluster with the Fleet CRDs and
// controllers, and a downstream cluster that agents register from. Every
// binary is built from modules pinned under tools/ (see tools/build-testenv.sh).
//
// Start runs an environment in this process; `make testenv-up` runs one in the
// background (fleet-testenv serve) and Attach connects to it through the
// FLEET_TESTENV_* variables. What a test can add to either:
//
//   - Env.StartDownstream starts one more bare downstream cluster, and
//     Env.RegisterDownstream registers it with Fleet the manager-initiated way
//     (kubeconfig Secret + fleet.cattle.io Cluster with labels) and runs its
//     fleet-agent; it returns once the Cluster is checked in and Ready. A
//     fleet-agent is a singleton per downstream cluster, so each registering
//     test starts its own cluster and stops it with Cluster.Stop (t.Cleanup).
//   - StartGitServer serves git repositories at git://127.0.0.1:<port>/<name>
//     (CreateRepo, Commit) for GitRepos.
//   - StartChartRepo serves a Helm chart repository at http://127.0.0.1:<port>
//     (AddChart) for HelmOps.
//
// No kubelet runs, so no pod ever starts. Two stand-ins cover what Fleet needs:
// the fleet-agent runs as a local process (Agent), and the gitjob runner
// (jobrunner.go) runs the git Jobs that Fleet's gitjob controller creates for
// each GitRepo commit, so GitRepos deploy and report Fleet's own errors. The
// runner is always on: every Start and Attach campaigns for its lease, and
// exactly one per environment runs jobs, normally the environment's own
// process. Deployments deployed by bundles never become ready; use ConfigMaps
// and the like where readiness matters.
//
// With Options.FleetInstall = FleetInstalledByProvider (`make testenv-up
// FLEET_INSTALL=provider`) the upstream cluster starts bare: no Fleet CRDs,
// configuration or controllers. Whoever installs Fleet's charts there gets
// their Deployments in cattle-fleet-system run by a third stand-in, the
// KubeletStandin (kubelet_standin.go), with the chart's commands,
// environment and service accounts.
package testenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Options configure Start.
type Options struct {
	// BinDir holds the built binaries and Fleet's charts. Empty means
	// $FLEET_TESTENV_BIN, else build them with tools/build-testenv.sh (for
	// the release $FLEET_VERSION names, by default DefaultFleetVersion).
	BinDir string
	// Dir receives data and logs. Empty means a new temporary directory.
	Dir string
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// FleetInstall says who installs Fleet upstream; empty means the
	// environment does (FleetInstalledByTestenv).
	FleetInstall FleetInstall
}

// FleetInstall says who installs Fleet on the upstream cluster.
type FleetInstall string

const (
	// FleetInstalledByTestenv: Start creates Fleet's CRDs and configuration
	// and runs the controllers itself, the fastest way to a working Fleet.
	FleetInstalledByTestenv FleetInstall = "testenv"
	// FleetInstalledByProvider: a bare control plane without Fleet, whose
	// Helm charts a test (or fleet_install) installs; the kubelet stand-in
	// (KubeletStandin) runs the Deployments they create in
	// cattle-fleet-system.
	FleetInstalledByProvider FleetInstall = "provider"
)

// Env is a running control plane. Stop it when done.
type Env struct {
	Dir        string // data and logs; removed by Stop unless KeepDir
	LogDir     string
	BinDir     string
	Upstream   *Cluster
	Downstream *Cluster
	// Fleet is the Fleet release running: the one the binaries in BinDir
	// were built from.
	Fleet Release
	// KeepDir leaves Dir in place after Stop (set it when a test failed, so
	// the logs can be read).
	KeepDir bool
	// FleetInstall says who installed Fleet upstream.
	FleetInstall FleetInstall

	log     io.Writer
	ownsDir bool
	mu      sync.Mutex
	procs   []*process
	extra   []*Cluster // clusters from StartDownstream
	runner  func()     // stops the gitjob runner candidate
	kubelet *KubeletStandin
}

// Start brings up the upstream cluster with Fleet and a bare downstream cluster.
// On error everything started so far is stopped again.
func Start(ctx context.Context, opts Options) (env *Env, err error) {
	if err := CheckPlatform(); err != nil {
		return nil, err
	}
	begin := time.Now()
	e := &Env{Dir: opts.Dir, log: opts.Log, BinDir: opts.BinDir, FleetInstall: opts.FleetInstall}
	if e.FleetInstall == "" {
		e.FleetInstall = FleetInstalledByTestenv
	}
	if e.FleetInstall != FleetInstalledByTestenv && e.FleetInstall != FleetInstalledByProvider {
		return nil, fmt.Errorf("FleetInstall %q is neither %q nor %q", e.FleetInstall, FleetInstalledByTestenv, FleetInstalledByProvider)
	}
	if e.log == nil {
		e.log = io.Discard
	}
	if e.Dir == "" {
		if e.Dir, err = os.MkdirTemp("", "fleet-testenv-"); err != nil {
			return nil, err
		}
		e.ownsDir = true
	}
	e.LogDir = filepath.Join(e.Dir, "logs")
	if err := os.MkdirAll(e.LogDir, 0o755); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			e.KeepDir = true
			e.Stop()
			err = fmt.Errorf("%w\n(testenv logs kept in %s)", err, e.LogDir)
		}
	}()
	if e.BinDir, err = resolveBinDir(ctx, e.BinDir, e.log); err != nil {
		return nil, err
	}
	if e.Fleet, err = releaseOf(e.BinDir); err != nil {
		return nil, err
	}

	// The two clusters are independent: start them side by side.
	var wg sync.WaitGroup
	var downErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		e.Downstream, downErr = e.startCluster(ctx, "downstream")
	}()
	e.Upstream, err = e.startCluster(ctx, "upstream")
	wg.Wait()
	if err = errors.Join(err, downErr); err != nil {
		return nil, err
	}
	if e.FleetInstall == FleetInstalledByProvider {
		if e.kubelet, err = e.startKubeletStandin(ctx, e.Upstream, SystemNamespace); err != nil {
			return nil, err
		}
	} else if err = e.startFleet(ctx); err != nil {
		return nil, err
	}
	e.startJobRunner()
	e.logf("control plane ready in %s (logs: %s)", time.Since(begin).Round(100*time.Millisecond), e.LogDir)
	return e, nil
}

// Stop ends every process the environment started and removes its data,
// unless KeepDir is set. Safe to call more than once.
func (e *Env) Stop() {
	e.mu.Lock()
	procs, extra, runner, kubelet := e.procs, e.extra, e.runner, e.kubelet
	e.procs, e.extra, e.runner, e.kubelet = nil, nil, nil, nil
	e.mu.Unlock()
	// The runner first: it releases its lease and ends its jobs while the
	// upstream apiserver still answers. Then the controllers the kubelet
	// stand-in runs.
	if runner != nil {
		runner()
	}
	if kubelet != nil {
		kubelet.Stop()
	}
	// Stop in reverse start order: controllers before the apiservers they talk to.
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(10 * time.Second)
	}
	for _, c := range extra {
		c.Stop() // removes its data folder, also in an attached environment
	}
	if e.ownsDir && !e.KeepDir {
		_ = os.RemoveAll(e.Dir)
	}
}

// start launches one of the built binaries and tracks it for Stop.
func (e *Env) start(name, binary string, args, env []string, inherit ...*os.File) (*process, error) {
	p, err := startProcess(e.LogDir, name, filepath.Join(e.BinDir, binary), args, env, inherit...)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.procs = append(e.procs, p)
	e.mu.Unlock()
	return p, nil
}

// Kubelet is the stand-in that runs Fleet's Deployments upstream when
// FleetInstall is FleetInstalledByProvider; nil otherwise, and in an attached
// environment (its server runs it).
func (e *Env) Kubelet() *KubeletStandin {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.kubelet
}

func (e *Env) logf(format string, args ...any) {
	fmt.Fprintf(e.log, "testenv: "+format+"\n", args...)
}

// ChartsDir is the folder with Fleet's charts (fleet-crd, fleet-agent, fleet)
// from the pinned Fleet module.
func (e *Env) ChartsDir() string { return filepath.Join(e.BinDir, "charts") }

// resolveBinDir finds the built binaries, building them when needed.
func resolveBinDir(ctx context.Context, dir string, log io.Writer) (string, error) {
	if dir == "" {
		dir = os.Getenv("FLEET_TESTENV_BIN")
	}
	if dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
			return "", fmt.Errorf("FLEET_TESTENV_BIN=%s does not hold the testenv binaries: %w", dir, err)
		}
		return dir, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	return build(ctx, root, os.Getenv("FLEET_VERSION"), log)
}

// BuildRelease returns the folder of the binaries of a Fleet release,
// building them first unless tools/build-testenv.sh has them cached: for
// a stand-in that runs another release too (KubeletStandin.AddRelease).
func BuildRelease(ctx context.Context, version string, log io.Writer) (string, error) {
	if _, err := LookupRelease(version); err != nil {
		return "", err
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	return build(ctx, root, version, log)
}

// build runs tools/build-testenv.sh for the release (empty: its default).
func build(ctx context.Context, root, version string, log io.Writer) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "tools", "build-testenv.sh"))
	cmd.Stderr = log
	cmd.Env = os.Environ()
	if version != "" {
		cmd.Env = append(cmd.Env, "FLEET_VERSION="+version)
	}
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building the testenv binaries (tools/build-testenv.sh): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// repoRoot walks up from the working directory to the provider's go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil &&
			strings.Contains(string(data), "module github.com/fleetform/terraform-provider-fleet\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the terraform-provider-fleet repository root above the working directory")
		}
		dir = parent
	}
}

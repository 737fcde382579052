package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Environment variables that name a running environment (written to
// .testenv/env by `make testenv-up`; `make test` exports them).
const (
	EnvDir                  = "FLEET_TESTENV_DIR"
	EnvBin                  = "FLEET_TESTENV_BIN"
	EnvUpstreamKubeconfig   = "FLEET_TESTENV_UPSTREAM_KUBECONFIG"
	EnvDownstreamKubeconfig = "FLEET_TESTENV_DOWNSTREAM_KUBECONFIG"
	// EnvFleetInstall is the environment's FleetInstall.
	EnvFleetInstall = "FLEET_TESTENV_FLEET_INSTALL"
)

// Exports returns the shell exports that let other processes attach to e.
func (e *Env) Exports() map[string]string {
	return map[string]string{
		EnvDir:                  e.Dir,
		EnvBin:                  e.BinDir,
		EnvUpstreamKubeconfig:   e.Upstream.Kubeconfig,
		EnvDownstreamKubeconfig: e.Downstream.Kubeconfig,
		EnvFleetInstall:         string(e.FleetInstall),
		// The provider reads this, so terraform runs against upstream.
		"KUBE_CONFIG_PATH": e.Upstream.Kubeconfig,
	}
}

// Attach connects to an environment another process runs, as named by the
// FLEET_TESTENV_* variables. It returns nil, nil when none is named. Stop on
// an attached Env ends only what was started through it (agents, downstream
// clusters, and the gitjob runner candidate, which only ever acts when the
// environment's own runner is gone; see jobrunner.go).
func Attach() (*Env, error) {
	upstream := os.Getenv(EnvUpstreamKubeconfig)
	if upstream == "" {
		return nil, nil
	}
	if err := CheckPlatform(); err != nil {
		return nil, err
	}
	e := &Env{Dir: os.Getenv(EnvDir), BinDir: os.Getenv(EnvBin), FleetInstall: FleetInstall(os.Getenv(EnvFleetInstall))}
	if e.FleetInstall == "" { // an environment started before FleetInstall existed
		e.FleetInstall = FleetInstalledByTestenv
	}
	if e.Dir == "" || e.BinDir == "" {
		return nil, fmt.Errorf("%s is set, so %s and %s must be too", EnvUpstreamKubeconfig, EnvDir, EnvBin)
	}
	e.LogDir = filepath.Join(e.Dir, "logs")
	var err error
	if e.Fleet, err = releaseOf(e.BinDir); err != nil {
		return nil, err
	}
	if e.Upstream, err = attachCluster("upstream", upstream); err != nil {
		return nil, err
	}
	if e.Downstream, err = attachCluster("downstream", os.Getenv(EnvDownstreamKubeconfig)); err != nil {
		return nil, err
	}
	e.log = os.Stderr
	e.startJobRunner()
	return e, nil
}

func attachCluster(name, kubeconfig string) (*Cluster, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("%s kubeconfig %q: %w", name, kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	c := &Cluster{Name: name, Host: cfg.Host, Kubeconfig: kubeconfig, CAPEM: cfg.CAData, rest: cfg}
	if c.Core, err = kubernetes.NewForConfig(cfg); err != nil {
		return nil, err
	}
	if c.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return nil, err
	}
	return c, nil
}

// AttachOrStart attaches to a running environment or starts a new one.
func AttachOrStart(ctx context.Context, opts Options) (*Env, error) {
	if e, err := Attach(); e != nil || err != nil {
		return e, err
	}
	return Start(ctx, opts)
}

// WriteEnvFile writes the shell exports of Exports to path.
func (e *Env) WriteEnvFile(path string) error {
	var b strings.Builder
	for _, k := range []string{EnvDir, EnvBin, EnvUpstreamKubeconfig, EnvDownstreamKubeconfig, EnvFleetInstall, "KUBE_CONFIG_PATH"} {
		fmt.Fprintf(&b, "export %s=%q\n", k, e.Exports()[k])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

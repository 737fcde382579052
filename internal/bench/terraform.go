package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// terraform runs the Terraform CLI on the PATH with both providers served
// through dev_overrides: nothing is downloaded, and no `terraform init` is
// needed.
type terraform struct {
	root        string // temporary folder: the CLI configuration and the workspaces
	env         []string
	parallelism int
	// providers are the provider binaries whose peak RSS is sampled.
	providers []string
}

func newTerraform(kubeconfig string, parallelism int) (*terraform, error) {
	fleetBin, err := filepath.Abs(envOr("FLEET_BENCH_PROVIDER", "bin/terraform-provider-fleet"))
	if err != nil {
		return nil, err
	}
	timeBin := os.Getenv("FLEET_BENCH_TIME")
	if timeBin == "" {
		return nil, errors.New("FLEET_BENCH_TIME must name the hashicorp/time binary (tools/terraform-provider-time-v0.14.2/build.sh prints it)")
	}
	for _, bin := range []string{fleetBin, timeBin} {
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("provider binary: %w", err)
		}
	}
	if filepath.Base(timeBin) != "terraform-provider-time" {
		return nil, fmt.Errorf("FLEET_BENCH_TIME=%s: dev_overrides needs the binary to be named terraform-provider-time", timeBin)
	}
	root, err := os.MkdirTemp("", "fleet-bench-")
	if err != nil {
		return nil, err
	}
	rc := filepath.Join(root, "terraformrc")
	config := fmt.Sprintf(`provider_installation {
  dev_overrides {
    "fleetform/fleet" = %q
    "hashicorp/time"  = %q
  }
  direct {}
}
`, filepath.Dir(fleetBin), filepath.Dir(timeBin))
	if err := os.WriteFile(rc, []byte(config), 0o644); err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TF_CLI_CONFIG_FILE="+rc,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
		"TF_LOG=",
		"KUBE_CONFIG_PATH="+kubeconfig,
	)
	return &terraform{root: root, env: env, parallelism: parallelism, providers: []string{fleetBin}}, nil
}

func (t *terraform) cleanup() { _ = os.RemoveAll(t.root) }

// workspace writes a root module of the given resources.
func (t *terraform) workspace(name, resources string) (string, error) {
	dir, err := os.MkdirTemp(t.root, name+"-")
	if err != nil {
		return "", err
	}
	main := `terraform {
  required_providers {
    fleet = { source = "fleetform/fleet" }
    time  = { source = "hashicorp/time" }
  }
}

` + resources
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o644)
}

// run runs one command (apply, plan or destroy) and returns what it cost:
// its time, and the memory and CPU of the processes (see usage). A plan must
// find nothing to change: a refresh right after an apply that does is a bug.
func (t *terraform) run(ctx context.Context, dir, command string) (usage, error) {
	args := []string{command, "-input=false", "-no-color", "-parallelism=" + strconv.Itoa(t.parallelism)}
	switch command {
	case "apply", "destroy":
		args = append(args, "-auto-approve")
	case "plan":
		args = append(args, "-detailed-exitcode")
	}
	log, err := os.Create(logPath(dir, command))
	if err != nil {
		return usage{}, err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, "terraform", args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, t.env, log, log

	sampler := newSampler(t.providers)
	started := time.Now()
	err = cmd.Run()
	elapsed := time.Since(started)
	u := sampler.stop(cmd.ProcessState)
	u.wall = elapsed
	var exit *exec.ExitError
	if command == "plan" && errors.As(err, &exit) && exit.ExitCode() == 2 {
		err = errors.New("the plan after the apply is not empty")
	}
	if err != nil {
		return u, fmt.Errorf("terraform %s in %s: %w\n%s", command, dir, err, tail(logPath(dir, command), 40))
	}
	fmt.Fprintf(os.Stderr, ">> bench: terraform %s in %s: %.1fs (CPU: provider %.1fs, terraform %.1fs, rest of the machine %.1fs)\n",
		command, filepath.Base(dir), u.wall.Seconds(), u.providerCPU.Seconds(), u.terraformCPU.Seconds(), u.otherCPU().Seconds())
	return u, nil
}

// tail returns the last lines of a file.
func tail(path string, lines int) string {
	data, _ := os.ReadFile(path)
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}

// Command bench measures what the provider costs beyond Terraform itself:
// `make bench` runs it against the test control plane. Each scenario applies
// (creates) and then plans (refreshes) N resources with the real Terraform
// CLI, beside N time_static of hashicorp/time, a provider that does no I/O:
// its times are Terraform's own cost, the floor. It prints, per scenario, the
// times and their ratios to that floor, the API requests per resource the
// API server counted (apiserver_request_total), the provider's peak RSS and
// anonymous memory, and the CPU time of the provider, of Terraform and of the
// rest of the machine (the control plane) in each command.
//
// Settings (environment):
//
//	FLEET_BENCH_GITREPOS  counts of fleet_gitrepo to try   (default "100 1000")
//	FLEET_BENCH_CLUSTERS  counts of fleet_cluster to try   (default "1000")
//	FLEET_BENCH_PARALLELISM terraform -parallelism (default 10)
//	FLEET_BENCH_PROVIDER  the provider binary (default bin/terraform-provider-fleet)
//	FLEET_BENCH_TIME      the hashicorp/time binary (tools/terraform-provider-time-v0.14.2/build.sh)
//	FLEET_PROVIDER_PROFILE_DIR passed on: the provider writes CPU and heap
//	                      profiles there, the heap at its peak too (profile.go of the provider)
//
// The control plane comes from FLEET_TESTENV_UPSTREAM_KUBECONFIG, which
// `make testenv-up` writes to .testenv/env; without it the command fails.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	kubeconfig := os.Getenv("FLEET_TESTENV_UPSTREAM_KUBECONFIG")
	if kubeconfig == "" {
		return fmt.Errorf("no control plane: FLEET_TESTENV_UPSTREAM_KUBECONFIG is not set (run `make bench`, which starts one, or `make testenv-up` and source .testenv/env)")
	}
	api, err := connect(ctx, kubeconfig)
	if err != nil {
		return fmt.Errorf("the control plane of %s does not answer (is it up? `make testenv-up`): %w", kubeconfig, err)
	}
	gitRepoCounts, err := counts("FLEET_BENCH_GITREPOS", "100 1000")
	if err != nil {
		return err
	}
	clusterCounts, err := counts("FLEET_BENCH_CLUSTERS", "1000")
	if err != nil {
		return err
	}
	parallelism, err := strconv.Atoi(envOr("FLEET_BENCH_PARALLELISM", "10"))
	if err != nil || parallelism < 1 {
		return fmt.Errorf("FLEET_BENCH_PARALLELISM must be a positive number")
	}
	tf, err := newTerraform(kubeconfig, parallelism)
	if err != nil {
		return err
	}
	defer tf.cleanup()

	var rows []row
	report := func(r row) {
		rows = append(rows, r)
		fmt.Fprintln(os.Stderr, ">> bench:", r.String())
	}
	for _, n := range gitRepoCounts {
		r, err := measure(ctx, tf, api, gitRepoScenario, n)
		if err != nil {
			return err
		}
		report(r)
	}
	for _, n := range clusterCounts {
		r, err := measure(ctx, tf, api, clusterScenario, n)
		if err != nil {
			return err
		}
		report(r)
	}
	printTable(os.Stdout, rows)
	return nil
}

// counts reads a space-separated list of resource counts.
func counts(name, fallback string) ([]int, error) {
	var out []int
	for _, f := range strings.Fields(envOr(name, fallback)) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive number", name, f)
		}
		out = append(out, n)
	}
	return out, nil
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}

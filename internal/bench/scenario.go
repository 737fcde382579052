package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
)

// scenario is one kind of resource the benchmark creates N of.
type scenario struct {
	// name is the resource type, e.g. fleet_gitrepo.
	name string
	// kindResource is the API resource (plural) of the objects, e.g.
	// gitrepos, for the request count.
	kindResource string
	// resource returns the HCL of count = n resources in namespace.
	resource func(namespace string, n int) string
}

// gitRepoScenario: GitRepos with targets and labels. Their repository
// refuses connections and is polled once an hour, so Fleet records one
// failed poll per GitRepo and starts no git job: the provider's cost, not
// Fleet's, is measured.
var gitRepoScenario = scenario{
	name:         "fleet_gitrepo",
	kindResource: "gitrepos",
	resource: func(namespace string, n int) string {
		return fmt.Sprintf(`resource "fleet_gitrepo" "bench" {
  count            = %d
  name             = "bench-${count.index}"
  namespace        = %q
  repo             = "https://127.0.0.1:9/bench.git"
  branch           = "main"
  paths            = ["apps/web"]
  polling_interval = "1h"
  labels           = { team = "bench", index = tostring(count.index) }
  targets = [
    { name = "edge", cluster_selector = { match_labels = { env = "edge" } } },
    { name = "eu", cluster_group = "eu-west" },
  ]
}
`, n, namespace)
	},
}

// clusterScenario: Clusters with a proxy for their agent; no agent ever
// checks in, and wait_for_ready is off.
var clusterScenario = scenario{
	name:         "fleet_cluster",
	kindResource: "clusters",
	resource: func(namespace string, n int) string {
		return fmt.Sprintf(`resource "fleet_cluster" "bench" {
  count     = %d
  name      = "bench-${count.index}"
  namespace = %q
  client_id = "bench-${count.index}"
  labels    = { env = "edge", index = tostring(count.index) }
  agent_proxy = {
    https_proxy = "http://proxy.bench.example:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,.svc,.cluster.local"
  }
}
`, n, namespace)
	},
}

// floorResource is the same number of time_static, which do no I/O.
func floorResource(n int) string {
	return fmt.Sprintf(`resource "time_static" "bench" {
  count    = %d
  triggers = { name = "bench-${count.index}" }
}
`, n)
}

// row is the result of one scenario.
type row struct {
	scenario             string
	n                    int
	apply, applyFloor    usage
	plan, planFloor      usage
	destroy              usage
	createReqs, readReqs float64 // API requests per resource
	createVerbs          string
	readVerbs            string
}

func ratio(a, b usage) float64 { return a.wall.Seconds() / b.wall.Seconds() }

// peak returns the most any provider process held, RSS and anonymous, in MiB.
func (r row) peak() (rss, anon int64) {
	return max(r.apply.peakRSS, r.plan.peakRSS) >> 20, max(r.apply.peakAnon, r.plan.peakAnon) >> 20
}

func (r row) String() string {
	rss, anon := r.peak()
	return fmt.Sprintf("%s N=%d: apply %.1fs (floor %.1fs, %.2fx), plan %.1fs (floor %.1fs, %.2fx), destroy %.1fs, "+
		"requests/resource create %.2f [%s] refresh %.2f [%s], provider peak RSS %d MiB (anonymous %d MiB)",
		r.scenario, r.n, r.apply.wall.Seconds(), r.applyFloor.wall.Seconds(), ratio(r.apply, r.applyFloor),
		r.plan.wall.Seconds(), r.planFloor.wall.Seconds(), ratio(r.plan, r.planFloor), r.destroy.wall.Seconds(),
		r.createReqs, r.createVerbs, r.readReqs, r.readVerbs, rss, anon)
}

func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "resource\tN\tplan s\tfloor s\tplan ×\tapply s\tfloor s\tapply ×\treq/res refresh\treq/res create\tpeak RSS MiB\tpeak anon MiB\tdestroy s\t")
	for _, r := range rows {
		rss, anon := r.peak()
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.2f\t%.1f\t%.1f\t%.2f\t%.2f\t%.2f\t%d\t%d\t%.1f\t\n", r.scenario, r.n,
			r.plan.wall.Seconds(), r.planFloor.wall.Seconds(), ratio(r.plan, r.planFloor),
			r.apply.wall.Seconds(), r.applyFloor.wall.Seconds(), ratio(r.apply, r.applyFloor),
			r.readReqs, r.createReqs, rss, anon, r.destroy.wall.Seconds())
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "floor: the same N of time_static (hashicorp/time v0.14.2, no I/O). × = provider time / floor.")
	fmt.Fprintln(w, "req/res: the API server's apiserver_request_total of the provider's verbs on the kind, divided by N.")
	fmt.Fprintln(w, "peak RSS counts the binary's pages too (shared with the page cache); anon is the process's own memory.")
	fmt.Fprintln(w)

	fmt.Fprintln(tw, "CPU seconds\tN\tcommand\tprovider\tterraform\trest of the machine\tfloor: terraform + time\tfloor: rest\t")
	for _, r := range rows {
		for _, c := range []struct {
			name         string
			fleet, floor usage
		}{{"plan", r.plan, r.planFloor}, {"apply", r.apply, r.applyFloor}} {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t\n", r.scenario, r.n, c.name,
				c.fleet.providerCPU.Seconds(), c.fleet.terraformCPU.Seconds(), c.fleet.otherCPU().Seconds(),
				c.floor.terraformCPU.Seconds(), c.floor.otherCPU().Seconds())
		}
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "rest of the machine: every other process while the command ran, mostly kube-apiserver, etcd and Fleet's")
	fmt.Fprintln(w, "controllers; they share the machine's cores with Terraform and the provider, so their work adds to the times.")
}

// settleLimit is how long a plan waits for the control plane to finish
// reacting to the apply before it is measured anyway.
const settleLimit = 5 * time.Minute

// measure creates n resources of sc and then plans them, each beside n
// time_static, and destroys them again.
func measure(ctx context.Context, tf *terraform, api *apiServer, sc scenario, n int) (row, error) {
	r := row{scenario: sc.name, n: n}
	// Unique per run: the namespace of an interrupted run may still be terminating.
	namespace := fmt.Sprintf("bench-%s-%d-%d", strings.TrimPrefix(sc.name, "fleet_"), n, time.Now().Unix()%100000)
	fmt.Fprintf(os.Stderr, ">> bench: %s N=%d in namespace %s\n", sc.name, n, namespace)
	if err := api.createNamespace(ctx, namespace); err != nil {
		return r, err
	}
	defer api.deleteNamespace(context.WithoutCancel(ctx), namespace)

	floorDir, err := tf.workspace("floor", floorResource(n))
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(floorDir)
	if r.applyFloor, err = tf.run(ctx, floorDir, "apply"); err != nil {
		return r, err
	}
	if r.planFloor, err = tf.run(ctx, floorDir, "plan"); err != nil {
		return r, err
	}

	dir, err := tf.workspace("fleet", sc.resource(namespace, n))
	if err != nil {
		return r, err
	}
	defer os.RemoveAll(dir)
	before, err := api.requests(ctx)
	if err != nil {
		return r, err
	}
	if r.apply, err = tf.run(ctx, dir, "apply"); err != nil {
		return r, err
	}
	afterApply, err := api.requests(ctx)
	if err != nil {
		return r, err
	}
	r.createReqs, r.createVerbs = providerRequests(before, afterApply, sc.kindResource, n)
	if waited, quiet := settle(ctx, settleLimit); quiet {
		fmt.Fprintf(os.Stderr, ">> bench: the machine was quiet again %.1fs after the apply\n", waited.Seconds())
	} else {
		fmt.Fprintf(os.Stderr, ">> bench: the machine was still busy %.1fs after the apply; the plan measures that too\n", waited.Seconds())
	}
	beforePlan, err := api.requests(ctx)
	if err != nil {
		return r, err
	}
	if r.plan, err = tf.run(ctx, dir, "plan"); err != nil {
		return r, err
	}
	afterPlan, err := api.requests(ctx)
	if err != nil {
		return r, err
	}
	r.readReqs, r.readVerbs = providerRequests(beforePlan, afterPlan, sc.kindResource, n)
	if r.destroy, err = tf.run(ctx, dir, "destroy"); err != nil {
		return r, err
	}
	return r, nil
}

// logPath is where the output of one terraform command goes.
func logPath(dir, command string) string { return filepath.Join(dir, command+".log") }

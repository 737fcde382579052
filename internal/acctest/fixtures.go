package acctest

import (
	"context"
	"testing"
	"time"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// RegisteredCluster starts a downstream cluster of the test's own, registers
// it with Fleet as clusterName in namespace with labels (manager-initiated,
// with a running fleet-agent), and stops it when the test ends. It returns
// once the Fleet Cluster is checked in and Ready, about 25 s, most of it
// Fleet's fixed check-in delay: share one per test rather than one per step.
// Bundles reach it through targets that select labels.
func RegisteredCluster(t *testing.T, namespace, clusterName string, labels map[string]string) *testenv.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	down, err := Env.StartDownstream(ctx, clusterName)
	if err != nil {
		t.Fatalf("start downstream cluster: %v", err)
	}
	t.Cleanup(down.Stop)
	if _, err := Env.RegisterDownstream(ctx, namespace, clusterName, labels, down); err != nil {
		t.Fatalf("register downstream cluster: %v", err)
	}
	return down
}

// GitServer serves git repositories for the test (git://127.0.0.1:<port>/<name>).
func GitServer(t *testing.T) *testenv.GitServer {
	t.Helper()
	server, err := testenv.StartGitServer(context.Background(), t.TempDir())
	if err != nil {
		t.Fatalf("start git server: %v", err)
	}
	t.Cleanup(server.Stop)
	return server
}

// ChartRepo serves a Helm chart repository for the test.
func ChartRepo(t *testing.T) *testenv.ChartRepo {
	t.Helper()
	charts, err := testenv.StartChartRepo(context.Background())
	if err != nil {
		t.Fatalf("start chart repository: %v", err)
	}
	t.Cleanup(charts.Stop)
	return charts
}

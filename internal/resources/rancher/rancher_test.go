package rancher_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// The Rancher tests run against the real kube-apiserver with Rancher's real
// provisioning CRD; Rancher's own part is played by testenv.RancherStandIn
// (see its documentation for what it mirrors and what it does not).

// startRancher starts a Rancher stand-in for namespace, stopped when the
// test ends (before the namespace is deleted).
func startRancher(t *testing.T, opts testenv.RancherStandInOptions) *testenv.RancherStandIn {
	t.Helper()
	r, err := acctest.Env.StartRancherStandIn(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Err(); err != nil {
			t.Errorf("Rancher stand-in: %v", err)
		}
		r.Stop()
	})
	return r
}

// wrappedError matches an error holding the parts in order, however
// Terraform wraps its lines.
func wrappedError(parts ...string) *regexp.Regexp {
	for i, p := range parts {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

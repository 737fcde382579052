package framework_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

var gitRepos = framework.ObjectAPI[map[string]any]{GVR: schema.GroupVersionResource{Group: "fleet.cattle.io", Version: "v1alpha1", Resource: "gitrepos"}, Kind: "GitRepo"}

// TestAccAPIWarningsReachTheUser: a warning of the API server (here, about
// a finalizer name without a domain) comes back as a Terraform warning of the
// operation that caused it, not as a line on the provider's hidden stderr.
func TestAccAPIWarningsReachTheUser(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx, report := framework.CollectAPIWarnings(context.Background(), "GitRepo")
	object := map[string]any{"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "GitRepo",
		"metadata": map[string]any{"name": "warned", "finalizers": []any{"undomained"}},
		"spec":     map[string]any{"repo": "https://git.example.com/apps"}}
	if _, err := gitRepos.Apply(ctx, upstream(), ns, "warned", &object); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the apply without it removes the finalizer
		object["metadata"] = map[string]any{"name": "warned"}
		if _, err := gitRepos.Apply(context.Background(), upstream(), ns, "warned", &object); err != nil {
			t.Error(err)
		}
	})
	var diags diag.Diagnostics
	report(&diags)
	if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning ||
		diags[0].Summary() != "The Kubernetes API server warns about the GitRepo" || !strings.Contains(diags[0].Detail(), `"undomained": prefer a domain-qualified finalizer name`) {
		t.Fatalf("diagnostics %v, want one warning about the finalizer name", diags)
	}
	// Another operation's context collects only its own warnings.
	other, reportOther := framework.CollectAPIWarnings(context.Background(), "GitRepo")
	if _, err := gitRepos.Get(other, upstream(), ns, "warned"); err != nil {
		t.Fatal(err)
	}
	var none diag.Diagnostics
	if reportOther(&none); len(none) != 0 {
		t.Fatalf("a clean read reported %v", none)
	}
}

package downstream_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// deprecatedNodeLabel is a node label the API server warns about in a pod
// template (k8s.io/kubernetes pkg/api/pod/warnings.go).
const deprecatedNodeLabel = `spec.template.spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use "kubernetes.io/arch" instead`

// warnedDeployment is a Deployment of no replicas whose pod template selects
// nodes by a deprecated label.
func warnedDeployment(name string) *unstructured.Unstructured {
	labels := map[string]any{"app": name}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name, "namespace": "default"},
		"spec": map[string]any{"replicas": int64(0), "selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{"metadata": map[string]any{"labels": labels}, "spec": map[string]any{
				"nodeSelector": map[string]any{"beta.kubernetes.io/arch": "amd64"},
				"containers":   []any{map[string]any{"name": "c", "image": "registry.invalid/c:1"}},
			}}}}}
}

// TestAccDownstreamWritesReportAPIWarnings: the API server warnings of what
// a manifest resource applies downstream (fleet_rancher_agent,
// fleet_kubesphere_agent), and of what Helm writes with the connection's
// REST configuration (fleet_agent; Helm makes its requests with
// context.TODO, not the operation's context), come back as Terraform
// warnings of the operation, as ObjectResource's do upstream.
func TestAccDownstreamWritesReportAPIWarnings(t *testing.T) {
	acctest.PreCheck(t)
	kubeconfig, err := os.ReadFile(acctest.Env.Downstream.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	down, diags := downstream.Connect(context.Background(), &downstream.KubernetesModel{}, string(kubeconfig))
	if diags.HasError() {
		t.Fatal(diags)
	}
	ns := acctest.Namespace(t) // unique per test: names the objects
	check := func(what string, report func(*diag.Diagnostics)) {
		t.Helper()
		var diags diag.Diagnostics
		report(&diags)
		if len(diags) != 1 || diags[0].Severity() != diag.SeverityWarning ||
			diags[0].Summary() != "The Kubernetes API server warns about the agent manifest" || !strings.Contains(diags[0].Detail(), deprecatedNodeLabel) {
			t.Fatalf("%s: diagnostics %v, want one warning about the deprecated node label", what, diags)
		}
	}

	t.Run("manifest", func(t *testing.T) {
		ctx, report := framework.CollectAPIWarnings(context.Background(), "agent manifest")
		planned, err := down.Plan([]*unstructured.Unstructured{warnedDeployment(ns + "-manifest")})
		if err != nil {
			t.Fatal(err)
		}
		applied, err := downstream.ApplyAll(ctx, planned, nil)
		t.Cleanup(func() {
			if err := down.RemoveCreated(context.Background(), applied); err != nil {
				t.Error(err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		check("ApplyAll", report)
	})

	t.Run("helm", func(t *testing.T) {
		ctx, report := framework.CollectAPIWarnings(context.Background(), "agent manifest")
		client, err := dynamic.NewForConfig(down.RESTConfig(ctx))
		if err != nil {
			t.Fatal(err)
		}
		deployments := client.Resource(appsv1.SchemeGroupVersion.WithResource("deployments")).Namespace("default")
		obj := warnedDeployment(ns + "-helm")
		// As Helm does: the request's context is not the operation's.
		if _, err := deployments.Create(context.TODO(), obj, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := deployments.Delete(context.Background(), obj.GetName(), metav1.DeleteOptions{}); err != nil {
				t.Error(err)
			}
		})
		check("a client of the connection's REST configuration", report)
	})
}

package framework_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// upstream is a client of the provider's own kind for the test
// environment's management cluster.
func upstream() *kube.Client {
	return kube.NewClient(kube.Config{ConfigPath: acctest.Env.Upstream.Kubeconfig})
}

var configMaps = framework.ObjectAPI[map[string]any]{GVR: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Kind: "ConfigMap"}

// TestAccObjectAPITypeNotServed: a 404 that names no object means the API
// server does not serve the type (a CRD missing, the wrong cluster): that is
// an error, never "the object was deleted", which would drop every resource
// of the type from the state and plan to create them all again.
func TestAccObjectAPITypeNotServed(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	c := upstream()
	ns := acctest.Namespace(t)

	if _, err := configMaps.Get(ctx, c, ns, "missing"); !errors.Is(err, framework.ErrNotFound) {
		t.Fatalf("a missing object of a served type: %v, want ErrNotFound", err)
	}
	for _, gvr := range []schema.GroupVersionResource{
		{Group: "fleet.cattle.io", Version: "v1alpha1", Resource: "notservedthings"}, // a CRD missing from a served group
		{Group: "example.com", Version: "v1", Resource: "widgets"},                   // a group the cluster does not have
		{Group: "fleet.cattle.io", Version: "v9", Resource: "gitrepos"},              // a version it does not serve
	} {
		api := framework.ObjectAPI[map[string]any]{GVR: gvr, Kind: "Widget"}
		_, err := api.Get(ctx, c, ns, "x")
		if err == nil || errors.Is(err, framework.ErrNotFound) {
			t.Errorf("Get of %s: %v, want an error that is not ErrNotFound", gvr, err)
		} else if !strings.Contains(err.Error(), gvr.GroupResource().String()) || !strings.Contains(err.Error(), "does not serve") {
			t.Errorf("Get of %s: %q does not say the type is not served", gvr, err)
		}
		if err := api.Delete(ctx, c, ns, "x"); err == nil {
			t.Errorf("Delete of %s reported the object gone", gvr)
		}
	}
}

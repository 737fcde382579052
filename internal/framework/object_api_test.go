package framework_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

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

// TestAccObjectAPIDeleteWaitsForItsObject: a delete waits until the object
// it deleted is gone, by UID. An object that a controller re-creates under
// the same name (Rancher re-creates the Fleet Cluster of its clusters) is
// another object: the wait must not run into the timeout because of it.
func TestAccObjectAPIDeleteWaitsForItsObject(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	ctx := context.Background()
	core := acctest.Env.Upstream.Core.CoreV1().ConfigMaps(ns)
	const finalizer = "example.com/recreate"
	create := func() (types.UID, error) {
		cm, err := core.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "recreated", Finalizers: []string{finalizer}}}, metav1.CreateOptions{})
		if err != nil {
			return "", err
		}
		return cm.UID, nil
	}
	first, err := create()
	if err != nil {
		t.Fatal(err)
	}
	// The controller: finalizes the deleted ConfigMap, then creates it again.
	stop := make(chan struct{})
	recreated := make(chan types.UID, 1)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			cm, err := core.Get(ctx, "recreated", metav1.GetOptions{})
			if err != nil || cm.DeletionTimestamp == nil {
				continue
			}
			cm.Finalizers = nil
			if _, err := core.Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
				continue
			}
			if uid, err := create(); err == nil {
				recreated <- uid
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		if cm, err := core.Get(ctx, "recreated", metav1.GetOptions{}); err == nil {
			cm.Finalizers = nil
			_, _ = core.Update(ctx, cm, metav1.UpdateOptions{})
		}
	})

	deleteCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := configMaps.Delete(deleteCtx, upstream(), ns, "recreated"); err != nil {
		t.Fatalf("Delete waited for the re-created object: %v", err)
	}
	select {
	case uid := <-recreated:
		if uid == first {
			t.Fatal("the controller did not re-create the ConfigMap")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the controller did not re-create the ConfigMap")
	}
}

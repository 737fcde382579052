package rancher_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
)

// TestAccRancherSetting: create remembers the previous value and destroy
// restores it; a setting that did not exist is created and deleted.
func TestAccRancherSetting(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	if err := acctest.Env.InstallRancherCRDs(ctx); err != nil {
		t.Fatal(err)
	}
	settings := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings)
	ns := acctest.Namespace(t) // only for unique setting names: settings are cluster-scoped
	existing, created := ns+"-existing", ns+"-new"
	if _, err := settings.Create(ctx, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Setting",
		"metadata": map[string]any{"name": existing}, "value": "before", "default": "factory",
	}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = settings.Delete(ctx, existing, metav1.DeleteOptions{}) })
	config := func(value string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_setting" "existing" {
  name  = %q
  value = %q
}

resource "fleet_rancher_setting" "created" {
  name  = %q
  value = "x"
}
`, existing, value, created)
	}
	value := func(name string) (string, error) {
		s, err := settings.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		v, _, _ := unstructured.NestedString(s.Object, "value")
		return v, nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if v, err := value(existing); err != nil || v != "before" {
				return fmt.Errorf("setting %s was not restored: %q (%v)", existing, v, err)
			}
			if _, err := value(created); !apierrors.IsNotFound(err) {
				return fmt.Errorf("setting %s, created by the provider, outlived it (%v)", created, err)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config("after"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("fleet_rancher_setting.existing", "default", "factory"),
					func(*terraform.State) error {
						if v, err := value(existing); err != nil || v != "after" {
							return fmt.Errorf("value %q (%v)", v, err)
						}
						return nil
					},
				),
			},
			{
				// Changed out of band: drift.
				PreConfig: func() {
					if _, err := settings.Patch(ctx, existing, k8stypes.MergePatchType, []byte(`{"value":"other"}`),
						metav1.PatchOptions{FieldManager: "rancher"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config("after"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config(""),
				Check:  resource.TestCheckResourceAttr("fleet_rancher_setting.existing", "value", ""),
			},
		},
	})
}

// TestAccRancherSettingDeleteTimeout: destroy waits for the setting to be
// gone within the timeouts block; a setting whose deletion never finishes
// (a finalizer nobody removes) fails the destroy then, never hangs it.
func TestAccRancherSettingDeleteTimeout(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	if err := acctest.Env.InstallRancherCRDs(ctx); err != nil {
		t.Fatal(err)
	}
	settings := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings)
	name := acctest.Namespace(t) + "-stuck" // settings are cluster-scoped
	finalizers := func(list string) {
		t.Helper()
		patch := fmt.Sprintf(`{"metadata":{"finalizers":%s}}`, list)
		if _, err := settings.Patch(ctx, name, k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "fleet_rancher_setting" "stuck" {
  name  = %q
  value = "x"
  timeouts {
    delete = "3s"
  }
}
`, name)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { finalizers(`["example.com/never-done"]`) },
				Config:      config,
				Destroy:     true,
				ExpectError: acctest.Fragments("Cannot delete the Rancher setting", "to be deleted: context deadline exceeded"),
			},
			{
				// The finalizer done, the setting is gone: destroy completes.
				PreConfig: func() { finalizers(`null`) },
				Config:    acctest.ProviderConfig(),
			},
		},
	})
}

package rancher_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// TestAccRancherClusterPrivateRegistry: private_registry_url is set on the
// management cluster Rancher created (importedConfig.privateRegistryURL), the
// import manifest Rancher then serves pulls its agent from that registry,
// Rancher's global setting stays untouched, import reads it back, a value
// set by someone else shows as a change, and removing the attribute removes
// the field.
func TestAccRancherClusterPrivateRegistry(t *testing.T) {
	acctest.PreCheck(t)
	ns := acctest.Namespace(t)
	standIn := startRancher(t, testenv.RancherStandInOptions{Namespace: ns})
	ctx := context.Background()
	management := acctest.Env.Upstream.Dynamic.Resource(rancherapi.ManagementClusters)
	const address = "fleet_rancher_cluster.site"
	settings := acctest.Env.Upstream.Dynamic.Resource(rancherapi.Settings)
	settingVersion := func() string {
		if s, err := settings.Get(ctx, "system-default-registry", metav1.GetOptions{}); err == nil {
			return s.GetResourceVersion()
		}
		return "absent"
	}
	globalBefore := settingVersion()
	config := func(registry string) string {
		attr := ""
		if registry != "" {
			attr = fmt.Sprintf("  private_registry_url = %q\n", registry)
		}
		return acctest.ProviderConfig() + fmt.Sprintf("resource \"fleet_rancher_cluster\" \"site\" {\n  name      = \"site-a\"\n  namespace = %q\n%s}\n", ns, attr)
	}
	registryOf := func() (string, error) {
		id := rancherClusterID(t, ns, "site-a")
		m, err := management.Get(ctx, id, metav1.GetOptions{})
		if err != nil {
			return "", err
		}
		v, _, _ := unstructured.NestedString(m.Object, "spec", "importedConfig", "privateRegistryURL")
		return v, nil
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("registry.site-a.corp:5000"),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(address, "private_registry_url", "registry.site-a.corp:5000"),
					func(*terraform.State) error {
						if v, err := registryOf(); err != nil || v != "registry.site-a.corp:5000" {
							return fmt.Errorf("management cluster privateRegistryURL = %q (%v)", v, err)
						}
						id := rancherClusterID(t, ns, "site-a")
						manifest, err := importManifest(standIn, registrationToken(t, id), id)
						if err != nil {
							return err
						}
						if !strings.Contains(manifest, "image: registry.site-a.corp:5000/rancher/rancher-agent:") {
							return fmt.Errorf("the import manifest's agent image is not from the cluster's registry:\n%s", manifest)
						}
						if after := settingVersion(); after != globalBefore {
							return fmt.Errorf("Rancher's global system-default-registry Setting changed (resource version %s -> %s)", globalBefore, after)
						}
						return nil
					},
				),
			},
			{ResourceName: address, ImportState: true, ImportStateId: ns + "/site-a", ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"}},
			{
				// Rancher's UI sets another registry: a change to take back.
				PreConfig: func() {
					id := rancherClusterID(t, ns, "site-a")
					m, err := management.Get(ctx, id, metav1.GetOptions{})
					if err != nil {
						t.Fatal(err)
					}
					_ = unstructured.SetNestedField(m.Object, "registry.other.corp", "spec", "importedConfig", "privateRegistryURL")
					if _, err := management.Update(ctx, m, metav1.UpdateOptions{FieldManager: "rancher-ui"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:             config("registry.site-a.corp:5000"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config: config("registry.site-a.corp:5000"),
				Check: func(*terraform.State) error {
					if v, err := registryOf(); err != nil || v != "registry.site-a.corp:5000" {
						return fmt.Errorf("after apply, privateRegistryURL = %q (%v)", v, err)
					}
					return nil
				},
			},
			{
				Config: config(""),
				Check: func(*terraform.State) error {
					if v, err := registryOf(); err != nil || v != "" {
						return fmt.Errorf("after removing the attribute, privateRegistryURL = %q (%v)", v, err)
					}
					return nil
				},
			},
		},
	})
}

// importManifest downloads the import manifest the stand-in serves for token.
func importManifest(standIn *testenv.RancherStandIn, token, clusterID string) (string, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(standIn.CAPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := client.Get(fmt.Sprintf("%s/v3/import/%s_%s.yaml", standIn.URL, token, clusterID))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

package kubesphere_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

const hostDataSourceConfig = `
data "fleet_kubesphere_host" "this" {}
`

// TestAccKubeSphereHostDataSource reads a 4.x host publishing Tower through
// its LoadBalancer, a 3.x host with proxyPublishAddress and its own agent
// image, and refuses a cluster that is no KubeSphere host.
func TestAccKubeSphereHostDataSource(t *testing.T) {
	acctest.PreCheck(t)
	const host = "data.fleet_kubesphere_host.this"
	read := func(t *testing.T, checks ...resource.TestCheckFunc) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: acctest.ProviderConfig() + hostDataSourceConfig,
				Check:  resource.ComposeAggregateTestCheckFunc(checks...),
			}},
		})
	}
	t.Run("4.x behind a LoadBalancer", func(t *testing.T) {
		startKubeSphere(t, testenv.KubeSphereStandInOptions{TowerIngress: "tower.lb.test"})
		read(t,
			resource.TestCheckResourceAttr(host, "cluster_role", "host"),
			resource.TestCheckResourceAttr(host, "host_cluster_name", "host"),
			resource.TestCheckResourceAttr(host, "proxy_publish_address", "http://tower.lb.test:8080"),
			resource.TestCheckResourceAttr(host, "agent_image", "kubesphere/tower:v0.2.1"),
			resource.TestCheckResourceAttr(host, "major_version", "4"))
	})
	t.Run("3.x with proxyPublishAddress", func(t *testing.T) {
		startKubeSphere(t, testenv.KubeSphereStandInOptions{MajorVersion: 3, ProxyPublishAddress: "http://tower.example.test:30721",
			AgentImage: "registry.corp:5000/kubesphere/tower:v0.2.1"})
		read(t,
			resource.TestCheckResourceAttr(host, "proxy_publish_address", "http://tower.example.test:30721"),
			resource.TestCheckResourceAttr(host, "agent_image", "registry.corp:5000/kubesphere/tower:v0.2.1"),
			resource.TestCheckResourceAttr(host, "major_version", "3"))
	})
	t.Run("not a host", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      acctest.ProviderConfig() + hostDataSourceConfig,
				ExpectError: acctest.Fragments("Cannot read the KubeSphere host", "has no ConfigMap kubesphere-system/kubesphere-config", "is it a KubeSphere host?"),
			}},
		})
	})
}

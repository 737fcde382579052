# Air-gapped site: Rancher prefixes every image it deploys to its clusters
# (cluster agent, Fleet agent, system charts) with this registry. Destroy
# restores the previous value.
resource "fleet_rancher_setting" "registry" {
  name  = "system-default-registry"
  value = "registry.corp:5000"
}

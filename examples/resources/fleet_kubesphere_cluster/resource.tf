# A member cluster behind a firewall, joined over the agent connection: the
# host cannot reach it, its agent dials the host's Tower proxy.
resource "fleet_kubesphere_cluster" "edge" {
  name             = "edge-berlin-1"
  cluster_provider = "on-prem"
  description      = "Store cluster, Berlin"
  labels           = { "cluster.kubesphere.io/group" = "production" }

  # KubeSphere 4.x: values of the ks-core release the host installs in the
  # member once the agent is connected.
  ks_core_values = yamlencode({
    console = { enabled = false }
  })
}

output "edge_ready" {
  value = fleet_kubesphere_cluster.edge.ready
}

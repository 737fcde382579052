# Applies Rancher's import manifest of fleet_rancher_cluster.edge to the
# cluster behind ~/.kube/edge-berlin-1.yaml and waits until Rancher reports
# the cluster ready.
resource "fleet_rancher_agent" "edge" {
  cluster    = fleet_rancher_cluster.edge.id
  rancher_ca = file("${path.module}/rancher-ca.pem") # Rancher's cacerts, for a private CA

  kubernetes = {
    config_path = pathexpand("~/.kube/edge-berlin-1.yaml")
  }

  timeouts {
    create = "15m" # the agent image is pulled first
  }
}

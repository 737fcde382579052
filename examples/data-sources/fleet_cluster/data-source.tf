data "fleet_cluster" "edge" {
  name      = "edge-berlin-1"
  namespace = "fleet-default"
}

output "edge_registered" {
  value = data.fleet_cluster.edge.agent_last_seen != ""
}

output "edge_namespace" {
  # Where Fleet keeps the cluster's bundle deployments.
  value = data.fleet_cluster.edge.cluster_namespace
}

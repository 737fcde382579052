data "fleet_cluster_group" "prod" {
  name      = "prod"
  namespace = "fleet-default"
}

output "prod_clusters_not_ready" {
  value = data.fleet_cluster_group.prod.non_ready_clusters
}

# Every production cluster in Europe, whatever its name.
resource "fleet_cluster_group" "prod_eu" {
  name      = "prod-eu"
  namespace = "fleet-default"
  selector = {
    match_labels = { env = "prod" }
    match_expressions = [
      { key = "region", operator = "In", values = ["eu-west", "eu-central"] },
    ]
  }
}

output "prod_eu_clusters" {
  value = fleet_cluster_group.prod_eu.cluster_count
}

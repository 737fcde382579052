# Every production cluster in Europe of the fleet-default workspace.
data "fleet_clusters" "prod_eu" {
  namespace = "fleet-default"
  selector = {
    match_labels      = { env = "prod" }
    match_expressions = [{ key = "region", operator = "In", values = ["eu-west", "eu-central"] }]
  }
}

output "prod_eu_not_ready" {
  value = [for c in data.fleet_clusters.prod_eu.clusters : c.name if !c.ready]
}

# The quickstart `make demo` applies against the local Fleet control plane.
# The connection comes from KUBE_CONFIG_PATH, which .testenv/env exports.
terraform {
  required_providers {
    fleet = {
      source = "fleetform/fleet"
    }
  }
}

provider "fleet" {
  default_namespace = "fleet-local"
}

# Fleet's bootstrap registers the management cluster itself as
# fleet-local/local, labelled name=local. This group selects it; the Fleet
# controller counts it in the group's status.
resource "fleet_cluster_group" "local" {
  name = "management"
  selector = {
    match_labels = { name = "local" }
  }
  labels = { "example.com/owner" = "platform-team" }
}

# Selects every cluster of the workspace that carries an env label.
resource "fleet_cluster_group" "with_env" {
  name = "labelled-env"
  selector = {
    match_expressions = [{ key = "env", operator = "Exists" }]
  }
}

output "management_group" {
  value = fleet_cluster_group.local.id
}

output "management_group_clusters" {
  description = "Clusters in the group when apply finished (the Fleet controller counts them; refresh to update)."
  value       = fleet_cluster_group.local.cluster_count
}

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

# A downstream cluster declared ahead of its agent (agent-initiated
# registration would claim it through client_id; see fleet_agent). Until an
# agent checks in, Fleet shows it as WaitCheckIn.
resource "fleet_cluster" "edge" {
  name      = "edge-demo"
  labels    = { env = "demo", region = "eu-west" }
  client_id = "edge-demo"
  agent_proxy = {
    https_proxy = "http://proxy.corp.example:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  }
}

# Selects every cluster of the workspace that carries an env label: the
# edge cluster above (created first, so the controller counts it).
resource "fleet_cluster_group" "with_env" {
  name = "labelled-env"
  selector = {
    match_expressions = [{ key = "env", operator = "Exists" }]
  }
  depends_on = [fleet_cluster.edge]
}

output "management_group" {
  value = fleet_cluster_group.local.id
}

output "management_group_clusters" {
  description = "Clusters in the group when apply finished (the Fleet controller counts them; refresh to update)."
  value       = fleet_cluster_group.local.cluster_count
}

output "labelled_env_clusters" {
  value = fleet_cluster_group.with_env.cluster_count
}

output "edge_cluster_namespace" {
  description = "The namespace Fleet created for the edge cluster."
  value       = fleet_cluster.edge.cluster_namespace
}

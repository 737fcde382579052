output "id" {
  description = "`<workspace>/<name>` of the Fleet cluster: what `fleet_agent.cluster` and imports take."
  value       = fleet_cluster.site.id
}

output "name" {
  description = "Name of the Fleet cluster."
  value       = fleet_cluster.site.name
}

output "cluster_namespace" {
  description = "The per-cluster namespace Fleet created for the site (`status.namespace`), where its BundleDeployments live: for RBAC and lookups."
  value       = fleet_cluster.site.cluster_namespace
}

output "labels" {
  description = "All labels of the Fleet cluster: `labels` and `group_labels` merged."
  value       = fleet_cluster.site.labels
}

output "group_labels" {
  description = "The labels cluster groups and targets select the site by."
  value       = var.group_labels
}

output "registered" {
  description = "Whether the agent this module installed has checked in with Fleet (true once apply returns)."
  value       = fleet_agent.site.registered
}

output "ready" {
  description = "Whether Fleet reports the cluster Ready (its bundles deployed), as of the last plan or apply."
  value       = data.fleet_cluster.site.ready
}

output "client_id" {
  description = "The client ID the agent registered with."
  value       = fleet_agent.site.client_id
}

output "agent_release_status" {
  description = "Status of the fleet-agent Helm release downstream (`deployed` when all is well)."
  value       = fleet_agent.site.release_status
}

output "agent_chart_version" {
  description = "Version of the installed fleet-agent chart."
  value       = fleet_agent.site.chart_version
}

output "registry_secret_name" {
  description = "Name of the registry Secret in the workspace (for `helm_secret_name`), null without `registry`."
  value       = one(fleet_registry.site[*].secret_name)
}

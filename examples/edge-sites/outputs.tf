output "cluster_ids" {
  description = "`<workspace>/<name>` of each site's Fleet cluster, by site."
  value       = { for name, site in module.site : name => site.id }
}

output "cluster_namespaces" {
  description = "The per-cluster namespace Fleet created for each site (its BundleDeployments live there)."
  value       = { for name, site in module.site : name => site.cluster_namespace }
}

output "registered" {
  description = "Whether each site's agent has checked in with Fleet. Fleet's own Ready (bundles deployed) changes after apply: read it with `terraform console` as `module.site[\"<name>\"].ready`, or the `fleet_cluster` data source."
  value       = { for name, site in module.site : name => site.registered }
}

output "agent_release_status" {
  description = "Status of each site's fleet-agent release (`deployed` when all is well)."
  value       = { for name, site in module.site : name => site.agent_release_status }
}

output "cluster_group_id" {
  description = "`<workspace>/<name>` of the cluster group selecting the sites."
  value       = fleet_cluster_group.sites.id
}

output "gitrepo_id" {
  description = "`<workspace>/<name>` of the GitRepo deploying the workloads to the group."
  value       = fleet_gitrepo.workloads.id
}

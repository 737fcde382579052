output "images_to_mirror" {
  description = "`source target` per line: copy each with `skopeo copy --all docker://$src docker://$dst` (or `crane copy`)."
  value       = data.fleet_images.site.mapping
}

output "image_list" {
  description = "The source images, one per line (rancher-images.txt format)."
  value       = data.fleet_images.site.sources
}

output "registries_yaml" {
  description = "Write to /etc/rancher/k3s/registries.yaml (or /etc/rancher/rke2/registries.yaml) on every node. Sensitive: `terraform output -raw registries_yaml`."
  value       = data.fleet_registries_yaml.nodes.content
  sensitive   = true
}

output "agent_image" {
  description = "The agent image Fleet deploys on line-a."
  value       = "${fleet_registry.site.image_prefix}/rancher/fleet-agent:${var.fleet_version}"
}

output "registry_secret" {
  description = "The pull Secret in the workspace."
  value       = fleet_registry.site.id
}

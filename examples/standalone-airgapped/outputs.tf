output "images_to_mirror" {
  description = "`source target` per line: copy each with `skopeo copy --all docker://$src docker://$dst` (or `crane copy`)."
  value       = data.fleet_images.site.mapping
}

output "image_list" {
  description = "The source images, one per line (rancher-images.txt format), for carrying them across in an archive."
  value       = data.fleet_images.site.sources
}

output "charts_to_mirror" {
  description = "Where the apply pulls Fleet's charts from: push each chart of fleet_version there with `helm push <chart>-<version>.tgz <chart_repository>`."
  value       = [for chart in ["fleet-crd", "fleet", "fleet-agent"] : "${trimprefix(var.chart_repository, "oci://")}/${chart}:${var.fleet_version}"]
}

output "registries_yaml" {
  description = "Write to /etc/rancher/k3s/registries.yaml (or /etc/rancher/rke2/registries.yaml) on every node, management cluster included. Sensitive: `terraform output -raw registries_yaml`."
  value       = data.fleet_registries_yaml.nodes.content
  sensitive   = true
}

output "fleet_version" {
  description = "The Fleet release installed (the fleet chart's appVersion)."
  value       = fleet_install.this.fleet_version
}

output "clusters" {
  description = "The registered clusters, `<namespace>/<name>` by name."
  value       = { for name, agent in fleet_agent.downstream : name => agent.id }
}

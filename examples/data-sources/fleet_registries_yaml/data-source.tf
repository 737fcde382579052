# registries.yaml for K3s and RKE2 nodes: Docker Hub, GHCR and registry.k8s.io
# are pulled through the private registry, whose images live under /mirror.
data "fleet_registries_yaml" "nodes" {
  registries = [{
    server   = "registry.corp:5000/mirror"
    mirrors  = ["docker.io", "ghcr.io", "registry.k8s.io"]
    username = "node-puller"
    password = var.node_registry_password
    ca_file  = "/etc/rancher/registry-ca.pem"
  }]
}

# Written by cloud-init before K3s starts (the content is sensitive).
locals {
  cloud_init = yamlencode({
    write_files = [{
      path        = "/etc/rancher/k3s/registries.yaml"
      permissions = "0600"
      content     = data.fleet_registries_yaml.nodes.content
    }]
  })
}

variable "node_registry_password" {
  type      = string
  sensitive = true
}

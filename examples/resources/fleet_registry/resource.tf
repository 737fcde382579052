# The private registry the fleet pulls from, with a write-only password.
resource "fleet_registry" "corp" {
  name                = "corp-registry"
  namespace           = "fleet-default"
  server              = "registry.corp:5000/mirror"
  mirrors             = ["docker.io", "ghcr.io", "registry.k8s.io"]
  username            = "fleet-puller"
  password_wo         = var.registry_password
  password_wo_version = 1 # raise it after changing the password
  ca_bundle           = file("${path.module}/corp-ca.pem")
}

# The agent image comes from the registry, pulled with its Secret. Referring
# to the registry's attributes makes Terraform destroy the cluster first.
resource "fleet_cluster" "edge" {
  name               = "edge-1"
  namespace          = "fleet-default"
  private_repo_url   = fleet_registry.corp.image_prefix
  agent_pull_secrets = [fleet_registry.corp.secret_name]
}

# Charts in the registry: Fleet reads username, password and cacerts from
# the same Secret.
resource "fleet_gitrepo" "apps" {
  name             = "apps"
  namespace        = "fleet-default"
  repo             = "https://git.corp/platform/apps.git"
  helm_secret_name = fleet_registry.corp.secret_name
}

variable "registry_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

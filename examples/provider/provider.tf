# Connect to the Fleet management cluster with a kubeconfig file...
provider "fleet" {
  config_path    = "~/.kube/config"
  config_context = "fleet-management"
}

# ...or with explicit credentials, for example from another resource.
provider "fleet" {
  alias                  = "explicit"
  host                   = "https://fleet.example.com:6443"
  token                  = var.fleet_token
  cluster_ca_certificate = file("${path.module}/ca.pem")
  default_namespace      = "fleet-default"
}

variable "fleet_token" {
  type      = string
  sensitive = true
}

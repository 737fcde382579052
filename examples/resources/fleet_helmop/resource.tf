variable "chart_repo_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# ingress-nginx from a private chart repository on every edge cluster,
# following the 4.11 patch releases.
resource "fleet_helmop" "ingress" {
  name              = "ingress-nginx"
  namespace         = "fleet-default"
  default_namespace = "ingress-nginx"

  helm = {
    repo         = "https://charts.example.com/stable"
    chart        = "ingress-nginx"
    version      = "~4.11.0"
    release_name = "ingress-nginx"
    # jsonencode or yamlencode: only the data counts, not the formatting.
    values = jsonencode({
      controller = { replicaCount = 2, service = { type = "LoadBalancer" } }
    })
    atomic          = true
    timeout_seconds = 600
  }
  polling_interval = "1h"

  helm_credentials = {
    username               = "fleet"
    password_wo            = var.chart_repo_password
    credentials_wo_version = 1
  }

  targets = [
    { name = "edge", cluster_group = "edge" },
  ]

  wait_for_ready = true
  timeouts {
    create = "10m"
    update = "10m"
  }
}

output "ingress_version" {
  value = fleet_helmop.ingress.version
}

variable "chart_repo_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# ingress-nginx from a private chart repository on three cluster groups,
# each with its own values, rolled out dev first, then staging, then prod.
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
    values = yamlencode({
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

  # A cluster gets the first entry it matches: its values are merged over
  # helm.values, key by key.
  targets = [
    {
      name          = "dev"
      cluster_group = "dev"
      helm          = { values = yamlencode({ controller = { replicaCount = 1 } }) }
    },
    {
      name          = "staging"
      cluster_group = "staging"
      helm          = { values = yamlencode({ controller = { service = { type = "NodePort" } } }) }
    },
    {
      # prod stays on the release it was certified with.
      name          = "prod"
      cluster_group = "prod"
      helm = {
        version = "4.11.2"
        values  = yamlencode({ controller = { replicaCount = 3, metrics = { enabled = true } } })
      }
      correct_drift = { enabled = true }
    },
  ]

  # Staged: Fleet updates the partitions in this order, and goes on to the
  # next only while no partition has more clusters updating or not ready
  # than its max_unavailable.
  rollout_strategy = {
    max_unavailable_partitions = "0"
    partitions = [
      { name = "dev", cluster_group = "dev", max_unavailable = "1" },
      { name = "staging", cluster_group = "staging", max_unavailable = "1" },
      { name = "prod", cluster_group = "prod", max_unavailable = "10%" },
    ]
  }

  # The autoscaler owns the replica count once deployed.
  diff = {
    compare_patches = [{
      api_version   = "apps/v1"
      kind          = "Deployment"
      name          = "ingress-nginx-controller"
      namespace     = "ingress-nginx"
      json_pointers = ["/spec/replicas"]
    }]
  }

  wait_for_ready = true
  timeouts {
    create = "10m"
    update = "10m"
  }
}

output "ingress_version" {
  value = fleet_helmop.ingress.version
}

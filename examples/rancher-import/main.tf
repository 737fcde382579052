# Import two clusters behind an HTTP proxy into Rancher, point Rancher at a
# private registry, and deploy to both with Fleet by label.
#
# The provider talks to Rancher's management (local) cluster; each
# downstream cluster is reached with its own kubeconfig. See the Rancher
# guide for when to use these resources rather than fleet_cluster.
terraform {
  required_providers {
    fleet = {
      source = "fleetform/fleet"
    }
  }
}

variable "management_kubeconfig" {
  description = "Kubeconfig of the cluster Rancher runs on."
  type        = string
  default     = "~/.kube/rancher.yaml"
}

variable "rancher_ca_file" {
  description = "PEM file of the CA that signed Rancher's certificate (Rancher's cacerts setting)."
  type        = string
  default     = "rancher-ca.pem"
}

variable "clusters" {
  description = "The clusters to import: name => kubeconfig path and labels."
  type = map(object({
    kubeconfig = string
    labels     = map(string)
  }))
  default = {
    "store-hamburg" = { kubeconfig = "~/.kube/store-hamburg.yaml", labels = { env = "prod", tier = "store" } }
    "store-munich"  = { kubeconfig = "~/.kube/store-munich.yaml", labels = { env = "prod", tier = "store" } }
  }
}

provider "fleet" {
  config_path = pathexpand(var.management_kubeconfig)
}

# Every image Rancher deploys to its clusters, its own agents included, comes
# from the mirror. Destroy restores the previous value.
resource "fleet_rancher_setting" "registry" {
  name  = "system-default-registry"
  value = "registry.corp:5000"
}

# One imported cluster per entry. Rancher renders the proxy into the import
# manifest's cattle-cluster-agent and into the Fleet agent it deploys later.
resource "fleet_rancher_cluster" "store" {
  for_each = var.clusters

  name   = each.key
  labels = each.value.labels
  agent_proxy = {
    http_proxy  = "http://proxy.corp:3128"
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local,rancher.corp,registry.corp"
  }
}

# Applies each cluster's import manifest and waits until Rancher reports the
# cluster ready. Rancher pulls its agent from the registry set above, so the
# setting comes first.
resource "fleet_rancher_agent" "store" {
  for_each = var.clusters

  cluster    = fleet_rancher_cluster.store[each.key].id
  rancher_ca = file(var.rancher_ca_file)
  kubernetes = {
    config_path = pathexpand(each.value.kubeconfig)
  }
  timeouts {
    create = "15m"
  }

  depends_on = [fleet_rancher_setting.registry]
}

# Rancher creates a Fleet Cluster for each imported cluster in fleet-default,
# labelled like the Rancher cluster: target them by label, never manage them
# with fleet_cluster.
resource "fleet_gitrepo" "store_apps" {
  name      = "store-apps"
  namespace = "fleet-default"
  repo      = "https://git.corp/platform/store-apps.git"
  branch    = "main"
  paths     = ["apps"]
  targets = [
    { name = "stores", cluster_selector = { match_labels = { tier = "store" } } },
  ]

  depends_on = [fleet_rancher_agent.store]
}

output "cluster_ids" {
  description = "Rancher's ID of each imported cluster (c-m-...)."
  value       = { for name, c in fleet_rancher_cluster.store : name => c.cluster_id }
}

# Import two clusters behind an HTTP proxy into Rancher and deploy to both
# with Fleet by label. Optionally point Rancher's global registry setting at a
# mirror (var.system_default_registry: it affects every Rancher cluster).
#
# The provider talks to Rancher's management (local) cluster; each
# downstream cluster is reached with its own kubeconfig. See the Rancher
# guide for when to use these resources rather than fleet_cluster.
terraform {
  required_version = ">= 1.11"
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

variable "proxy_url" {
  description = "HTTP proxy the imported clusters reach Rancher and the internet through."
  type        = string
  default     = "http://proxy.corp:3128"
  validation {
    condition     = can(regex("^https?://[^/\\s]+$", var.proxy_url))
    error_message = "proxy_url must be http(s)://host[:port], without a path."
  }
}

variable "no_proxy" {
  description = "Addresses the clusters reach without the proxy: their own networks, Rancher, the registry."
  type        = list(string)
  default     = ["127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", ".svc", ".cluster.local", "rancher.corp", "registry.corp"]
}

variable "system_default_registry" {
  description = "Rancher's global system-default-registry (e.g. registry.corp:5000). It changes where EVERY cluster Rancher manages pulls Rancher's images from, so it is null (left alone) unless you ask for it."
  type        = string
  default     = null
  validation {
    condition     = var.system_default_registry == null || can(regex("^[a-z0-9.-]+(:[0-9]+)?$", var.system_default_registry))
    error_message = "system_default_registry is a registry host[:port], without a scheme or path."
  }
}

variable "clusters" {
  description = "The clusters to import: name => kubeconfig path, labels and, optionally, the registry Rancher pulls its images from for that cluster."
  type = map(object({
    kubeconfig = string
    labels     = map(string)
    # This cluster's registry for Rancher's images (Rancher >= 2.11), instead
    # of the global system_default_registry.
    private_registry = optional(string)
  }))
  validation {
    condition     = alltrue([for name in keys(var.clusters) : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name))])
    error_message = "Cluster names must be lowercase DNS labels (Rancher cluster names)."
  }
  default = {
    "store-hamburg" = { kubeconfig = "~/.kube/store-hamburg.yaml", labels = { env = "prod", tier = "store" }, private_registry = "registry.hamburg.corp:5000" }
    "store-munich"  = { kubeconfig = "~/.kube/store-munich.yaml", labels = { env = "prod", tier = "store" } }
  }
}

provider "fleet" {
  config_path = pathexpand(var.management_kubeconfig)
}

# Only when asked for: every image Rancher deploys to any of its clusters, its
# own agents included, then comes from the mirror. Destroy restores the
# previous value.
resource "fleet_rancher_setting" "registry" {
  count = var.system_default_registry == null ? 0 : 1

  name  = "system-default-registry"
  value = var.system_default_registry
}

# One imported cluster per entry. Rancher renders the proxy into the import
# manifest's cattle-cluster-agent and into the Fleet agent it deploys later.
resource "fleet_rancher_cluster" "store" {
  for_each = var.clusters

  name                 = each.key
  labels               = each.value.labels
  private_registry_url = each.value.private_registry
  agent_proxy = {
    http_proxy  = var.proxy_url
    https_proxy = var.proxy_url
    no_proxy    = join(",", var.no_proxy)
  }
}

# Applies each cluster's import manifest and waits until Rancher reports the
# cluster ready. Rancher pulls its agent from the registry setting, if set
# above, so the setting comes first.
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

output "imported_clusters" {
  description = "The clusters whose import finished: each fleet_rancher_agent waits until Rancher reports its cluster ready."
  value       = sort(keys(fleet_rancher_agent.store))
}

# Edge sites, one modules/edge-site per entry of var.sites: each registers a
# cluster behind the site's proxy with its own registry, labelled with the
# group it belongs to. A cluster group selects them by that label, and a
# GitRepo deploys the workloads to the group.
terraform {
  required_version = ">= 1.11" # write-only attributes and ephemeral variables
  required_providers {
    fleet = {
      source = "fleetform/fleet"
    }
  }
}

provider "fleet" {
  config_path       = pathexpand(var.management_kubeconfig)
  default_namespace = var.workspace
}

module "site" {
  source   = "../../modules/edge-site"
  for_each = var.sites

  name         = each.key
  labels       = each.value.labels
  group_labels = { (var.group_label) = var.group }
  kubernetes   = { config_path = pathexpand(each.value.kubeconfig) }

  agent_chart    = var.agent_chart
  api_server_url = var.api_server_url
  proxy = {
    https_proxy = each.value.proxy_url
    http_proxy  = each.value.proxy_url
    no_proxy    = var.no_proxy
  }
  registry = each.value.registry_server == null ? null : {
    server           = each.value.registry_server
    username         = var.registry_username
    password_version = var.registry_password_version
  }
  registry_password = var.registry_password
}

resource "fleet_cluster_group" "sites" {
  name     = var.group
  selector = { match_labels = { (var.group_label) = var.group } }
}

resource "fleet_gitrepo" "workloads" {
  name    = "${var.group}-workloads"
  repo    = var.git_repo
  branch  = var.git_branch
  paths   = var.git_paths
  targets = [{ name = var.group, cluster_group = fleet_cluster_group.sites.name }]
}

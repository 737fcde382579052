# Standalone Fleet (no Rancher) on an air-gapped site, from an empty
# management cluster to deployed workloads in one `terraform apply`: Fleet's
# charts and images come from the site's private registry, the controllers and
# the agents go out through the site's proxy, and two downstream clusters
# register themselves with agents Terraform installs. See README.md for what to
# mirror first and for the order in which the apply creates everything.
terraform {
  required_version = ">= 1.11" # write-only attributes and ephemeral variables
  required_providers {
    fleet = {
      source = "fleetform/fleet"
    }
  }
}

provider "fleet" {
  host                   = var.fleet_host
  token                  = var.fleet_token
  cluster_ca_certificate = file(var.fleet_ca_file)
}

locals {
  # The public registries the private one mirrors.
  mirrored = ["docker.io", "ghcr.io", "registry.k8s.io", "quay.io"]
  # The registry's host[:port], without the path: a pull Secret's account
  # covers every image of the host.
  registry_host = split("/", var.registry_server)[0]
  # The clusters the workloads go to carry this label.
  site_labels = { site = var.site }
  agent_proxy = {
    https_proxy = var.proxy_url
    no_proxy    = var.no_proxy
  }
}

# What to copy into the registry before the apply. Both data sources take
# variables only, so they are read at plan time without the cluster.
data "fleet_images" "site" {
  fleet_version = "v${var.fleet_version}"
  image_prefix  = var.registry_server
  extra_images  = var.extra_images
}

# The nodes' containerd configuration (K3s, RKE2): the registry's CA, the
# mirrors the workloads' images are pulled through, and the account, a second
# path next to the pull Secrets below.
data "fleet_registries_yaml" "nodes" {
  registries = [{
    server   = var.registry_server
    mirrors  = local.mirrored
    username = var.registry_username
    password = var.registry_password
    ca_file  = var.node_registry_ca_path
  }]
}

# 1. Fleet itself: the fleet-crd and fleet charts from the OCI registry, then
#    a wait until the CRDs are established and the controllers available.
#    Everything below depends on it, directly or through the workspace.
resource "fleet_install" "this" {
  chart = {
    repository          = var.chart_repository # holds fleet-crd and fleet
    version             = var.fleet_version
    ca_bundle           = file(var.site_ca_file)
    username            = var.registry_username
    password_wo         = var.registry_password
    password_wo_version = var.registry_password_version
  }

  # The controllers reach the git server and the registry through the proxy.
  # No extra_env: the chart gives fleet-agentmanagement no proxy, but it only
  # connects to clusters registered with a kubeconfig; these register
  # themselves through their agents.
  proxy = {
    https_proxy = var.proxy_url
    no_proxy    = var.no_proxy
    ca_cert     = var.proxy_ca_file == null ? null : file(var.proxy_ca_file)
  }

  # Fleet's images under the registry's prefix, pulled with the account of
  # image_pull_secret: the provider creates the Secret fleet-image-pull-secret
  # in cattle-fleet-system (and the namespace) before the charts, so the
  # controllers' nodes need no credentials of their own (Fleet v0.16 and later).
  system_default_registry = var.registry_server
  image_pull_secret = {
    server              = local.registry_host
    username            = var.registry_username
    password_wo         = var.registry_password
    password_wo_version = var.registry_password_version
  }

  # What the registration tokens tell the agents: the API as they reach it
  # through the proxy, and the only CA they trust for it.
  api_server_url = var.fleet_host
  api_server_ca  = file(var.fleet_ca_file)
  agent_tls_mode = "strict"

  timeouts {
    create = "15m" # the nodes pull the controller images first
  }
}

# 2. The workspace. Standalone Fleet creates no fleet-default namespace;
#    this does. The objects below name their namespace through it, so
#    Terraform creates them after Fleet and destroys them before it.
resource "fleet_workspace" "site" {
  name       = var.workspace
  depends_on = [fleet_install.this]
}

# 3. The registry's Secret in the workspace: Fleet pulls the charts the
#    GitRepo references with its credentials and CA.
resource "fleet_registry" "site" {
  name                = "site-registry"
  namespace           = fleet_workspace.site.name
  server              = var.registry_server
  mirrors             = local.mirrored
  username            = var.registry_username
  password_wo         = var.registry_password
  password_wo_version = var.registry_password_version
  ca_bundle           = file(var.site_ca_file)
}

# 4. The downstream clusters, predefined; each agent registers into its own.
resource "fleet_cluster" "downstream" {
  for_each = var.downstream_kubeconfigs

  name      = each.key
  namespace = fleet_workspace.site.name
  labels    = merge(local.site_labels, { cluster = each.key })
  # The agent Fleet renders once it adopts the agent pulls from here too.
  private_repo_url = fleet_registry.site.image_prefix
}

# 5. The agents: the fleet-agent chart from the same OCI registry, installed
#    with the registration values of a token the resource creates. They take
#    apiServerURL and apiServerCA from fleet_install through the token.
resource "fleet_agent" "downstream" {
  for_each = var.downstream_kubeconfigs

  cluster = fleet_cluster.downstream[each.key].id
  # Kept upstream for refresh and destroy; raise the version with a new file.
  kubernetes = {
    kubeconfig_wo         = file(each.value)
    kubeconfig_wo_version = 1
  }
  chart = {
    repository          = var.chart_repository # holds fleet-agent
    version             = var.fleet_version
    ca_bundle           = fleet_registry.site.ca_bundle
    username            = var.registry_username
    password_wo         = var.registry_password
    password_wo_version = var.registry_password_version
  }
  system_default_registry = fleet_registry.site.image_prefix
  agent_proxy             = local.agent_proxy
  # Downstream, the provider creates the namespace and this pull Secret before
  # the chart, so the agent image is pulled even from nodes without the
  # registry's credentials.
  image_pull_secret = {
    server              = fleet_registry.site.image_prefix
    username            = var.registry_username
    password_wo         = var.registry_password
    password_wo_version = var.registry_password_version
  }
}

# 6. The workloads, from the site's git server, to both clusters.
resource "fleet_gitrepo" "workloads" {
  name             = "site-workloads"
  namespace        = fleet_workspace.site.name
  repo             = var.git_repo
  branch           = "main"
  paths            = ["apps"]
  ca_bundle        = file(var.site_ca_file)
  helm_secret_name = fleet_registry.site.secret_name
  targets = [{
    cluster_selector = { match_labels = local.site_labels }
  }]
}

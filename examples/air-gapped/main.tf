# An air-gapped site: every image and chart comes from the private registry,
# the agents reach the management cluster through the site's proxy, and the
# workloads come from the site's own git server. See README.md for the order
# in which a site engineer brings it up.
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
  cluster_ca_certificate = var.fleet_ca_file == null ? null : file(var.fleet_ca_file)
  default_namespace      = var.workspace
}

locals {
  # The public registries the private one mirrors.
  mirrored = ["docker.io", "ghcr.io", "registry.k8s.io", "quay.io"]
  agent_proxy = {
    http_proxy  = var.proxy_url
    https_proxy = var.proxy_url
    no_proxy    = var.no_proxy
  }
}

# 1. What to copy into the registry before anything else: Fleet's own images
#    and those of the charts the site deploys. The two data sources take the
#    variables, not fleet_registry's attributes, so that they are read at
#    plan time, before the cluster is reachable.
data "fleet_images" "site" {
  fleet_version = var.fleet_version
  image_prefix  = var.registry_server
  extra_images  = ["nginx:1.27", "ghcr.io/stefanprodan/podinfo:6.7.1"]
}

# 2. The nodes' containerd configuration: docker.io, ghcr.io, ... are pulled
#    through the private registry, with its credentials and CA.
data "fleet_registries_yaml" "nodes" {
  registries = [{
    server   = var.registry_server
    mirrors  = local.mirrored
    username = var.registry_username
    password = var.registry_password
    ca_file  = var.node_registry_ca_path
  }]
}

# 3. The private registry, and the pull Secret the provider creates for it in
#    the workspace (for the clusters' agent_pull_secrets and Helm charts).
resource "fleet_registry" "site" {
  name                = "site-registry"
  server              = var.registry_server
  mirrors             = local.mirrored
  username            = var.registry_username
  password_wo         = var.registry_password
  password_wo_version = var.registry_password_version
  ca_bundle           = file(var.site_ca_file)
}

# 4a. line-a: Fleet registers it with its kubeconfig and deploys the agent
#     from the private registry, through the proxy. Fleet does not copy a
#     per-cluster pull Secret downstream; the nodes' registries.yaml carries
#     the credentials (see README.md).
resource "fleet_cluster" "line_a" {
  name                  = "line-a"
  labels                = { site = "plant", line = "a" }
  kubeconfig_wo         = file(var.line_a_kubeconfig)
  kubeconfig_wo_version = 1
  private_repo_url      = fleet_registry.site.image_prefix
  agent_pull_secrets    = [fleet_registry.site.secret_name]
  agent_proxy           = local.agent_proxy
}

# 4b. line-b: the cluster is predefined, and Terraform installs the agent
#     chart, mirrored into the registry, which then registers it. The agent
#     creates its own pull Secret downstream.
resource "fleet_cluster" "line_b" {
  name             = "line-b"
  labels           = { site = "plant", line = "b" }
  private_repo_url = fleet_registry.site.image_prefix
  agent_proxy      = local.agent_proxy
}

resource "fleet_agent" "line_b" {
  cluster    = fleet_cluster.line_b.id
  kubernetes = { config_path = var.line_b_kubeconfig }
  # The chart comes from the registry too, with its CA and account: the
  # machine running Terraform needs no `helm registry login`.
  chart = {
    repository          = var.agent_chart_repository
    version             = var.agent_chart_version
    ca_bundle           = fleet_registry.site.ca_bundle
    username            = var.registry_username
    password_wo         = var.registry_password
    password_wo_version = var.registry_password_version
  }
  api_server_url          = var.fleet_host
  system_default_registry = fleet_registry.site.image_prefix
  agent_proxy             = local.agent_proxy
  image_pull_secret = {
    server              = fleet_registry.site.image_prefix
    username            = var.registry_username
    password_wo         = var.registry_password
    password_wo_version = var.registry_password_version
  }
}

# 5. The workloads, from the site's git server; their charts come from the
#    private registry with the registry Secret's credentials.
resource "fleet_gitrepo" "workloads" {
  name             = "plant-workloads"
  repo             = var.git_repo
  branch           = "main"
  paths            = ["apps"]
  ca_bundle        = file(var.site_ca_file)
  helm_secret_name = fleet_registry.site.secret_name
  targets = [{
    cluster_selector = { match_labels = { site = "plant" } }
  }]
}

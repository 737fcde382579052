# One edge site: the Fleet cluster it registers as, the agent Terraform
# installs into it (agent-initiated registration, through the site's proxy),
# and the site's private registry.

locals {
  agent_proxy = var.proxy == null ? null : {
    http_proxy  = var.proxy.http_proxy
    https_proxy = var.proxy.https_proxy
    no_proxy    = var.proxy.no_proxy
  }
  # The pull Secret's server is the registry host; the path is where the
  # mirrored images live, part of the image name only.
  registry_host = var.registry == null ? null : split("/", var.registry.server)[0]
}

# The registry Secret in the workspace, for the site's GitRepos and HelmOps
# (`helm_secret_name`), and the image prefix the agent is pulled with.
resource "fleet_registry" "site" {
  count = var.registry == null ? 0 : 1

  name                = "${var.name}-registry"
  namespace           = var.workspace
  server              = var.registry.server
  username            = var.registry.username
  password_wo         = var.registry_password
  password_wo_version = var.registry.password_version
  ca_bundle           = var.registry.ca_bundle
}

# Predefined, so that the labels are there before the agent registers. The
# proxy is set here as on the agent (same values): Fleet renders the adopted
# agent from this Cluster.
resource "fleet_cluster" "site" {
  name             = var.name
  namespace        = var.workspace
  labels           = merge(var.labels, var.group_labels)
  agent_proxy      = local.agent_proxy
  private_repo_url = one(fleet_registry.site[*].image_prefix)
}

resource "fleet_agent" "site" {
  cluster = fleet_cluster.site.id

  # One way or the other (the variables' validations see to that); the
  # write-only kubeconfig cannot go through a conditional, which would make
  # the whole block ephemeral.
  kubernetes = {
    config_path            = try(var.kubernetes.config_path, null)
    config_context         = try(var.kubernetes.config_context, null)
    host                   = try(var.kubernetes.host, null)
    cluster_ca_certificate = try(var.kubernetes.cluster_ca_certificate, null)
    token                  = try(var.kubernetes.token, null)
    kubeconfig_wo          = var.kubeconfig
    kubeconfig_wo_version  = var.kubeconfig_version
  }

  chart = var.agent_chart

  api_server_url          = var.api_server_url
  api_server_ca           = var.api_server_ca
  agent_proxy             = local.agent_proxy
  system_default_registry = one(fleet_registry.site[*].image_prefix)
  image_pull_secret = var.registry == null ? null : {
    server              = local.registry_host
    username            = var.registry.username
    password_wo         = var.registry_password
    password_wo_version = var.registry.password_version
  }

  timeouts {
    create = var.agent_timeout
    update = var.agent_timeout
  }
}

# Fleet's view of the site once its agent is installed: read on every plan,
# so `ready` is Fleet's current answer, not the one of the last apply.
data "fleet_cluster" "site" {
  name       = fleet_cluster.site.name
  namespace  = var.workspace
  depends_on = [fleet_agent.site]
}

# Registers downstream clusters behind an HTTP proxy with Fleet, agent-initiated:
# for each cluster, fleet_cluster predefines it (labels, client ID) and
# fleet_agent installs the fleet-agent chart into it, configured for the proxy,
# and waits until it has registered. One registration token serves all of them.
terraform {
  required_version = ">= 1.11" # write-only attributes
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

locals {
  agent_proxy = {
    http_proxy  = var.proxy_url
    https_proxy = var.proxy_url
    no_proxy    = var.no_proxy
  }
}

# Short-lived: it only has to outlive the installations of this apply. Raise
# the TTL (which replaces the token) before registering more clusters later.
resource "fleet_cluster_registration_token" "bootstrap" {
  name = "behind-proxy-bootstrap"
  ttl  = "2h"
}

resource "fleet_cluster" "this" {
  for_each = var.clusters

  name   = each.key
  labels = merge(each.value.labels, { network = "behind-proxy" })
}

resource "fleet_agent" "this" {
  for_each = var.clusters

  cluster            = fleet_cluster.this[each.key].id
  registration_token = fleet_cluster_registration_token.bootstrap.id

  kubernetes = {
    kubeconfig_wo         = file(pathexpand(each.value.kubeconfig))
    kubeconfig_wo_version = each.value.kubeconfig_version
  }

  chart = {
    repository = var.agent_chart_repository
    version    = var.agent_chart_version
  }

  # The chart gets the proxy, and so does the Cluster's agentEnvVars, which
  # Fleet renders the agent from once it adopts it after registration.
  agent_proxy = local.agent_proxy

  timeouts {
    create = "15m"
  }
}

resource "fleet_cluster_group" "behind_proxy" {
  name     = "behind-proxy"
  selector = { match_labels = { network = "behind-proxy" } }
}

output "registered" {
  description = "Whether each cluster's agent has checked in."
  value       = { for name, agent in fleet_agent.this : name => agent.registered }
}

output "client_ids" {
  description = "The client ID each cluster registered with."
  value       = { for name, agent in fleet_agent.this : name => agent.client_id }
}

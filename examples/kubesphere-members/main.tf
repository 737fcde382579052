# Join two KubeSphere member clusters behind a firewall to their host over
# the agent connection: the host cannot reach them, their agents dial the
# host's Tower proxy through the corporate proxy.
#
# The provider talks to the KubeSphere host cluster; each member is reached
# with its own kubeconfig, from wherever Terraform runs. See the guide
# "KubeSphere members behind a firewall".
terraform {
  required_providers {
    fleet = {
      source = "fleetform/fleet"
    }
  }
}

variable "host_kubeconfig" {
  description = "Kubeconfig of the KubeSphere host cluster."
  type        = string
  default     = "~/.kube/kubesphere-host.yaml"
}

variable "tower_address" {
  description = "Address the members reach Tower at, http(s)://host:port; null takes the address the host publishes."
  type        = string
  default     = null
}

variable "members" {
  description = "The member clusters: name => kubeconfig path and KubeSphere cluster group."
  type = map(object({
    kubeconfig = string
    group      = string
  }))
  default = {
    "store-hamburg" = { kubeconfig = "~/.kube/store-hamburg.yaml", group = "production" }
    "store-munich"  = { kubeconfig = "~/.kube/store-munich.yaml", group = "production" }
  }
}

provider "fleet" {
  config_path = pathexpand(var.host_kubeconfig)
}

# Fails early when the cluster is not a KubeSphere host.
data "fleet_kubesphere_host" "this" {}

# One Cluster per member on the host; Tower gives each its ports, its
# Service mc-<name> and the agent's token.
resource "fleet_kubesphere_cluster" "member" {
  for_each = var.members

  name             = each.key
  cluster_provider = "on-prem"
  labels           = { "cluster.kubesphere.io/group" = each.value.group }
}

# The agent of each member, applied in the member; each waits until
# KubeSphere reports its cluster ready.
resource "fleet_kubesphere_agent" "member" {
  for_each = var.members

  cluster      = fleet_kubesphere_cluster.member[each.key].name
  proxy_server = var.tower_address
  kubernetes = {
    config_path = pathexpand(each.value.kubeconfig)
  }
  agent_proxy = {
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  }
  timeouts {
    create = "40m"
  }
}

output "tower_address" {
  description = "Where the agents dial."
  value       = { for name, a in fleet_kubesphere_agent.member : name => a.proxy_server }
}

output "kubesphere_version" {
  description = "The host's KubeSphere major version."
  value       = data.fleet_kubesphere_host.this.major_version
}

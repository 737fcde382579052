variable "management_kubeconfig" {
  description = "Kubeconfig file of the Fleet management cluster."
  type        = string
  default     = "~/.kube/fleet-management.yaml"
}

variable "workspace" {
  description = "Fleet workspace (namespace) the clusters register into."
  type        = string
  default     = "fleet-default"
}

variable "clusters" {
  description = <<-EOT
    The downstream clusters to register, by Fleet cluster name: the kubeconfig
    file Terraform installs the agent with, its version (raise it when the file
    changes, e.g. rotated credentials), and the cluster's labels.
  EOT
  type = map(object({
    kubeconfig         = string
    kubeconfig_version = optional(number, 1)
    labels             = optional(map(string), {})
  }))
  default = {
    "store-0142" = { kubeconfig = "~/.kube/store-0142.yaml", labels = { region = "emea", tier = "store" } }
    "store-0143" = { kubeconfig = "~/.kube/store-0143.yaml", labels = { region = "emea", tier = "store" } }
  }
  validation {
    condition     = alltrue([for name in keys(var.clusters) : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name))])
    error_message = "Cluster names must be lowercase DNS labels (Fleet Cluster names)."
  }
}

variable "proxy_url" {
  description = "HTTP(S) proxy the agents reach the management cluster through, e.g. http://proxy.corp.example.com:3128."
  type        = string
  default     = "http://proxy.corp.example.com:3128"
  validation {
    condition     = can(regex("^https?://[^/]+$", var.proxy_url))
    error_message = "proxy_url must be http(s)://host[:port], without a path."
  }
}

variable "no_proxy" {
  description = "Hosts, domains and CIDRs the agents reach directly; keep the cluster-internal ranges."
  type        = string
  default     = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local,.corp.example.com"
  validation {
    condition     = alltrue([for must in [".svc", ".cluster.local"] : contains(split(",", var.no_proxy), must)])
    error_message = "no_proxy must include .svc and .cluster.local, or in-cluster traffic goes to the proxy."
  }
}

variable "agent_chart_version" {
  description = "Version of the fleet-agent chart: the Fleet version the management cluster runs."
  type        = string
  default     = "0.16.0"
}

variable "agent_chart_repository" {
  description = "Chart repository with the fleet-agent chart (Fleet's, or a mirror of it)."
  type        = string
  default     = "https://rancher.github.io/fleet-helm-charts/"
  validation {
    condition     = can(regex("^(oci|https)://", var.agent_chart_repository))
    error_message = "agent_chart_repository is an oci:// registry path or an https:// chart repository."
  }
}

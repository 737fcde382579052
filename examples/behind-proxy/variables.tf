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
}

variable "proxy_url" {
  description = "HTTP(S) proxy the agents reach the management cluster through, e.g. http://proxy.corp.example.com:3128."
  type        = string
  default     = "http://proxy.corp.example.com:3128"
}

variable "no_proxy" {
  description = "Hosts, domains and CIDRs the agents reach directly; keep the cluster-internal ranges."
  type        = string
  default     = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local,.corp.example.com"
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
}

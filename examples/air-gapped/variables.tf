# Connection to the Fleet management cluster, from inside the site.
variable "fleet_host" {
  description = "URL of the management cluster's Kubernetes API, e.g. https://fleet.plant.internal:6443."
  type        = string
  validation {
    condition     = can(regex("^https://", var.fleet_host))
    error_message = "fleet_host must be the https:// URL of the management cluster's API."
  }
}

variable "fleet_token" {
  description = "Bearer token of an account that may manage Fleet objects and Secrets in the workspace."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "fleet_ca_file" {
  description = "PEM CA of the management cluster's API; null trusts the system CAs."
  type        = string
  default     = null
}

variable "workspace" {
  description = "Fleet workspace (namespace) the clusters and GitRepo live in."
  type        = string
  default     = "fleet-default"
}

variable "fleet_version" {
  description = "Fleet release the management cluster runs; its images are the ones to mirror."
  type        = string
  default     = "v0.16.0"
  validation {
    condition     = can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+$", var.fleet_version))
    error_message = "fleet_version is a Fleet release tag such as v0.16.0."
  }
}

# The private registry inside the wall.
variable "registry_server" {
  description = "Private registry host[:port], with the path the mirrored images live under."
  type        = string
  default     = "registry.plant.internal:5000/mirror"
  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._/-]+)?$", var.registry_server))
    error_message = "registry_server is host[:port][/path], without a scheme."
  }
}

variable "registry_username" {
  description = "Account the fleet pulls images and charts with (read-only is enough)."
  type        = string
  default     = "fleet-puller"
}

variable "registry_password" {
  description = "Password of registry_username. The Secrets get it through write-only attributes; the rendered registries.yaml (sensitive) carries it, as the nodes need it."
  type        = string
  sensitive   = true
}

variable "registry_password_version" {
  description = "Raise it after changing registry_password, so that the Secrets are written again."
  type        = number
  default     = 1
  validation {
    condition     = var.registry_password_version >= 1 && floor(var.registry_password_version) == var.registry_password_version
    error_message = "registry_password_version is a whole number from 1; raise it with each new password."
  }
}

variable "site_ca_file" {
  description = "PEM file of the site's CA, which signed the registry's and the git server's certificates."
  type        = string
}

variable "node_registry_ca_path" {
  description = "Where the nodes keep that CA (registries.yaml refers to it)."
  type        = string
  default     = "/etc/rancher/registry-ca.pem"
}

variable "proxy_url" {
  description = "HTTP(S) proxy the agents reach the management cluster through."
  type        = string
  default     = "http://proxy.plant.internal:3128"
  validation {
    condition     = can(regex("^https?://[^/]+$", var.proxy_url))
    error_message = "proxy_url must be http(s)://host[:port], without a path."
  }
}

variable "no_proxy" {
  description = "Destinations the agents reach directly: cluster-internal ranges and the site's own hosts."
  type        = string
  default     = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local,.plant.internal"
  validation {
    condition     = alltrue([for must in [".svc", ".cluster.local"] : contains(split(",", var.no_proxy), must)])
    error_message = "no_proxy must include .svc and .cluster.local, or in-cluster traffic goes to the proxy."
  }
}

# The downstream clusters.
variable "line_a_kubeconfig" {
  description = "Kubeconfig file of cluster line-a, which Fleet registers itself (manager-initiated)."
  type        = string
}

variable "line_b_kubeconfig" {
  description = "Kubeconfig file of cluster line-b, where Terraform installs the agent (agent-initiated)."
  type        = string
}

variable "agent_chart_repository" {
  description = "OCI path of the mirrored fleet-agent chart (pushed with `helm push`)."
  type        = string
  default     = "oci://registry.plant.internal:5000/charts"
  validation {
    condition     = can(regex("^(oci|https)://", var.agent_chart_repository))
    error_message = "agent_chart_repository is an oci:// registry path or an https:// chart repository."
  }
}

variable "agent_chart_version" {
  description = "Version of the fleet-agent chart, the one of fleet_version."
  type        = string
  default     = "0.16.0"
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+", var.agent_chart_version))
    error_message = "agent_chart_version is the chart version of the Fleet release, e.g. 0.16.0."
  }
}

variable "git_repo" {
  description = "The site's internal git server repository holding the workloads."
  type        = string
  default     = "https://git.plant.internal/platform/plant-workloads.git"
}

# The management cluster: an empty Kubernetes cluster that Fleet goes into.
variable "fleet_host" {
  description = "URL of the management cluster's Kubernetes API as Terraform and the agents reach it, e.g. https://fleet.plant.internal:6443."
  type        = string
  validation {
    condition     = can(regex("^https://", var.fleet_host))
    error_message = "fleet_host must be the https:// URL of the management cluster's API."
  }
}

variable "fleet_token" {
  description = "Bearer token of an account that may install Fleet (cluster-admin: the charts create CRDs and cluster roles)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "fleet_ca_file" {
  description = "PEM CA of the management cluster's API; Terraform and the agents trust only it."
  type        = string
}

variable "fleet_version" {
  description = "Version of Fleet's charts (fleet-crd, fleet, fleet-agent), e.g. 0.16.0; its images are the ones to mirror."
  type        = string
  default     = "0.16.0"
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+$", var.fleet_version))
    error_message = "fleet_version is a chart version such as 0.16.0 (without the v of the release tag)."
  }
}

variable "workspace" {
  description = "Namespace of the clusters, the GitRepo and the registry Secret; the apply creates it."
  type        = string
  default     = "fleet-default"
}

variable "site" {
  description = "Value of the site label on the downstream clusters; the GitRepo targets it."
  type        = string
  default     = "plant"
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

variable "chart_repository" {
  description = "OCI path the charts fleet-crd, fleet and fleet-agent were pushed to (helm push)."
  type        = string
  default     = "oci://registry.plant.internal:5000/charts"
  validation {
    condition     = can(regex("^oci://", var.chart_repository))
    error_message = "chart_repository is an oci:// registry path."
  }
}

variable "registry_username" {
  description = "Account that Terraform, the controllers, the agents and the nodes pull with (read-only is enough)."
  type        = string
  default     = "fleet-puller"
}

# Not ephemeral: the nodes' registries.yaml (a data source) needs it in clear
# text. Everything else receives it through write-only attributes.
variable "registry_password" {
  description = "Password or token of registry_username."
  type        = string
  sensitive   = true
}

variable "registry_password_version" {
  description = "Raise it after changing registry_password, so that the write-only attributes are written again."
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

variable "extra_images" {
  description = "Images of the workloads, mirrored with Fleet's (e.g. those the charts under apps/ use)."
  type        = list(string)
  default     = ["nginx:1.27"]
}

# The site's proxy.
variable "proxy_url" {
  description = "HTTP(S) proxy the controllers and the agents go out through."
  type        = string
  default     = "http://proxy.plant.internal:3128"
  validation {
    condition     = can(regex("^https?://[^/]+$", var.proxy_url))
    error_message = "proxy_url must be http(s)://host[:port], without a path."
  }
}

variable "no_proxy" {
  description = "Destinations reached directly: the cluster-internal ranges and names."
  type        = string
  default     = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  validation {
    condition     = alltrue([for must in [".svc", ".cluster.local"] : contains(split(",", var.no_proxy), must)])
    error_message = "no_proxy must include .svc and .cluster.local, or in-cluster traffic goes to the proxy."
  }
}

variable "proxy_ca_file" {
  description = "PEM CA of a proxy that intercepts TLS, for the controllers (Fleet v0.16 and later); null when it does not."
  type        = string
  default     = null
}

# The downstream clusters and the workloads.
variable "downstream_kubeconfigs" {
  description = "Kubeconfig file of each downstream cluster, by the name it registers as; the credentials must be inline."
  type        = map(string)
  validation {
    condition     = alltrue([for name in keys(var.downstream_kubeconfigs) : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", name))])
    error_message = "The names of downstream_kubeconfigs become Cluster names: lower-case letters, digits and dashes."
  }
}

variable "git_repo" {
  description = "Repository on the site's git server holding the workloads under apps/."
  type        = string
  default     = "https://git.plant.internal/platform/site-workloads.git"
}

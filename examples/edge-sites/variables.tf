variable "management_kubeconfig" {
  description = "Kubeconfig file of the Fleet management cluster."
  type        = string
  default     = "~/.kube/fleet-management.yaml"
}

variable "workspace" {
  description = "Fleet workspace (namespace) of the sites, the group and the GitRepo."
  type        = string
  default     = "fleet-default"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.workspace))
    error_message = "workspace must be a namespace name (an RFC 1123 label)."
  }
}

variable "sites" {
  description = <<-EOT
    The edge sites, by Fleet cluster name: the kubeconfig file Terraform
    installs the agent with, the site's proxy, its private registry
    (`host[:port][/path]`, or null to pull from the public registries) and
    descriptive labels.
  EOT
  type = map(object({
    kubeconfig      = string
    proxy_url       = string
    registry_server = optional(string)
    labels          = optional(map(string), {})
  }))
  validation {
    condition     = length(var.sites) > 0
    error_message = "sites needs at least one site."
  }
  validation {
    condition     = alltrue([for name in keys(var.sites) : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", name))])
    error_message = "Each key of sites is a Fleet cluster name: an RFC 1123 label (lowercase letters, digits, '-')."
  }
  validation {
    condition     = alltrue([for s in values(var.sites) : can(regex("^https?://[^/\\s]+/?$", s.proxy_url))])
    error_message = "Each site's proxy_url must be an http:// or https:// URL without a path, e.g. http://proxy.store-0142.corp:3128."
  }
}

variable "no_proxy" {
  description = "Destinations the agents reach directly, the same at every site: keep the cluster-internal ranges."
  type        = string
  default     = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  validation {
    condition     = alltrue([for d in [".svc", ".cluster.local"] : contains(split(",", replace(var.no_proxy, " ", "")), d)])
    error_message = "no_proxy must contain .svc and .cluster.local."
  }
}

variable "group" {
  description = "Name of the cluster group of the sites, and the value of their group label."
  type        = string
  default     = "edge-sites"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.group))
    error_message = "group must be an RFC 1123 label (it names the cluster group and is a label value)."
  }
}

variable "group_label" {
  description = "Key of the label the cluster group selects the sites by."
  type        = string
  default     = "fleet.example.com/group"
  validation {
    condition     = can(regex("^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", var.group_label))
    error_message = "group_label must be a Kubernetes label key, [prefix/]name."
  }
}

variable "agent_chart" {
  description = "The fleet-agent chart: `repository` and `version` (the Fleet version the management cluster runs), or a local `path`."
  type = object({
    repository = optional(string)
    version    = optional(string)
    path       = optional(string)
  })
  default = {
    repository = "https://rancher.github.io/fleet-helm-charts/"
    version    = "0.16.0"
  }
}

variable "api_server_url" {
  description = "URL of the management cluster's API as the agents reach it through their proxies; null takes the registration token's."
  type        = string
  default     = null
}

variable "registry_username" {
  description = "Account the sites pull the agent image with from their registries (read-only is enough)."
  type        = string
  default     = "fleet-puller"
}

variable "registry_password" {
  description = "Password of registry_username (write-only: never in plan or state). Needed when a site has a registry_server."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "registry_password_version" {
  description = "Raise it after changing registry_password, so that the pull Secrets are written again."
  type        = number
  default     = 1
  validation {
    condition     = var.registry_password_version >= 1 && floor(var.registry_password_version) == var.registry_password_version
    error_message = "registry_password_version must be a whole number of at least 1."
  }
}

variable "git_repo" {
  description = "Git repository with the workloads of the sites."
  type        = string
  default     = "https://github.com/rancher/fleet-examples"
  validation {
    condition     = can(regex("^(https?|ssh|git)://|^[^@\\s]+@[^:\\s]+:", var.git_repo))
    error_message = "git_repo must be an https://, http://, ssh:// or git:// URL, or user@host:path."
  }
}

variable "git_branch" {
  description = "Branch of git_repo to follow."
  type        = string
  default     = "master"
}

variable "git_paths" {
  description = "Folders of git_repo to deploy."
  type        = list(string)
  default     = ["simple"]
}

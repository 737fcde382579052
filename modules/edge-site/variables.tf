variable "name" {
  description = "Fleet cluster name of the site (an RFC 1123 label, at most 63 characters); also names the site's registry Secret, `<name>-registry`."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "name must be an RFC 1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters."
  }
}

variable "workspace" {
  description = "Fleet workspace (namespace) of the cluster and the registry Secret; null takes the provider's `default_namespace`."
  type        = string
  default     = null
  validation {
    condition     = var.workspace == null || can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.workspace))
    error_message = "workspace must be a namespace name (an RFC 1123 label)."
  }
}

variable "labels" {
  description = "Labels of the Fleet cluster that describe the site (region, store number, ...)."
  type        = map(string)
  default     = {}
  validation {
    condition = alltrue([for k, v in var.labels :
      can(regex("^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", k)) &&
    can(regex("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$", v))])
    error_message = "labels must be Kubernetes labels: keys [prefix/]name, values at most 63 characters of letters, digits, '-', '_' and '.'."
  }
}

variable "group_labels" {
  description = "The labels cluster groups and GitRepo/HelmOp targets select the site by (e.g. `{ fleet-group = \"stores\" }`). Merged into the cluster's labels; their keys must not repeat a key of `labels`."
  type        = map(string)
  default     = {}
  validation {
    condition = alltrue([for k, v in var.group_labels :
      can(regex("^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", k)) &&
    can(regex("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$", v))])
    error_message = "group_labels must be Kubernetes labels: keys [prefix/]name, values at most 63 characters of letters, digits, '-', '_' and '.'."
  }
  validation {
    condition     = length(setintersection(keys(var.group_labels), keys(var.labels))) == 0
    error_message = "group_labels and labels must not share a key: one would silently replace the other."
  }
}

variable "kubernetes" {
  description = <<-EOT
    How Terraform reaches the site's cluster to install the agent: a kubeconfig
    file (`config_path`, optionally `config_context`), or `host`,
    `cluster_ca_certificate` and a bearer `token` (kept in the state, sensitive:
    refresh and destroy connect with it). For a kubeconfig that must stay out
    of the state, leave this null and set `kubeconfig` instead.
  EOT
  type = object({
    config_path            = optional(string)
    config_context         = optional(string)
    host                   = optional(string)
    cluster_ca_certificate = optional(string)
    token                  = optional(string)
  })
  default   = null
  sensitive = true
  validation {
    condition = var.kubernetes == null ? true : (
      (var.kubernetes.config_path != null) != (var.kubernetes.host != null)
    )
    error_message = "kubernetes needs either config_path or host (with cluster_ca_certificate and token), not both."
  }
  validation {
    condition     = var.kubernetes == null ? true : (var.kubernetes.host == null || can(regex("^https://", var.kubernetes.host)))
    error_message = "kubernetes.host must be an https:// URL."
  }
  validation {
    condition     = var.kubernetes == null ? true : (var.kubernetes.host == null || var.kubernetes.token != null)
    error_message = "kubernetes.host needs kubernetes.token."
  }
}

variable "kubeconfig" {
  description = "Content of the site cluster's kubeconfig, instead of `kubernetes`: write-only, it never reaches plan or state (the provider keeps it upstream in the Secret `<name>-agent-kubeconfig`). Give `kubeconfig_version` with it."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "kubeconfig_version" {
  description = "Version of `kubeconfig`: raise it when the kubeconfig changes (e.g. rotated credentials), so that it is stored again. Required with `kubeconfig`, null without."
  type        = number
  default     = null
  validation {
    condition     = var.kubeconfig_version == null || try(var.kubeconfig_version >= 1 && floor(var.kubeconfig_version) == var.kubeconfig_version, false)
    error_message = "kubeconfig_version must be a whole number of at least 1."
  }
  validation {
    condition     = (var.kubeconfig_version != null) == (var.kubernetes == null)
    error_message = "Give the cluster's connection one way: kubernetes, or kubeconfig with kubeconfig_version."
  }
}

variable "agent_chart" {
  description = "Where the fleet-agent chart comes from: a chart `repository` (HTTP(S) or `oci://`) with optional `chart` (the chart's name, default `fleet-agent`) and `version` (the Fleet version the management cluster runs), or a local `path` (a `.tgz` or a chart folder)."
  type = object({
    repository = optional(string)
    chart      = optional(string)
    version    = optional(string)
    path       = optional(string)
  })
  validation {
    condition     = (var.agent_chart.repository != null) != (var.agent_chart.path != null)
    error_message = "agent_chart needs either repository or path, not both."
  }
  validation {
    condition     = var.agent_chart.repository == null || can(regex("^(https?|oci)://", var.agent_chart.repository))
    error_message = "agent_chart.repository must be an http://, https:// or oci:// URL."
  }
  validation {
    condition     = var.agent_chart.path == null || (var.agent_chart.chart == null && var.agent_chart.version == null)
    error_message = "agent_chart.chart and agent_chart.version go with repository; a local path is the chart itself."
  }
}

variable "api_server_url" {
  description = "URL of the management cluster's API as the agent reaches it through the proxy; null takes the registration token's (Fleet's `apiServerURL`)."
  type        = string
  default     = null
  validation {
    condition     = var.api_server_url == null || can(regex("^https://[^/]+", var.api_server_url))
    error_message = "api_server_url must be an https:// URL."
  }
}

variable "api_server_ca" {
  description = "PEM CA of the management cluster's API as the agent sees it (e.g. through a TLS-intercepting proxy); null takes the registration token's."
  type        = string
  default     = null
  validation {
    condition     = var.api_server_ca == null || can(regex("-----BEGIN CERTIFICATE-----", var.api_server_ca))
    error_message = "api_server_ca must be PEM certificates."
  }
}

variable "proxy" {
  description = "The HTTP(S) proxy the site's agent reaches the management cluster through, set on the chart and on the Fleet cluster (so Fleet keeps it after it adopts the agent); null for a site without a proxy. `no_proxy` must keep the cluster-internal destinations."
  type = object({
    http_proxy  = optional(string)
    https_proxy = optional(string)
    no_proxy    = optional(string, "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local")
  })
  default = null
  validation {
    condition     = var.proxy == null ? true : (var.proxy.http_proxy != null || var.proxy.https_proxy != null)
    error_message = "proxy needs http_proxy or https_proxy."
  }
  validation {
    condition = var.proxy == null ? true : alltrue([for u in compact([var.proxy.http_proxy, var.proxy.https_proxy]) :
    can(regex("^https?://[^/\\s]+/?$", u))])
    error_message = "proxy.http_proxy and proxy.https_proxy must be http:// or https:// URLs without a path."
  }
  validation {
    condition = var.proxy == null ? true : alltrue([for d in [".svc", ".cluster.local"] :
    contains(split(",", replace(coalesce(var.proxy.no_proxy, ""), " ", "")), d)])
    error_message = "proxy.no_proxy must contain .svc and .cluster.local: the agent reaches the cluster's own API directly."
  }
}

variable "registry" {
  description = <<-EOT
    The site's private registry, or null to pull the agent from the public
    registries. With it the module creates the registry Secret
    `<name>-registry` in the workspace (`fleet_registry`, for GitRepo and
    HelmOp `helm_secret_name`), deploys the agent image from
    `<server>/rancher/fleet-agent` (chart and Fleet cluster alike), and gives
    the agent a pull Secret downstream (Fleet ≥ v0.16.0). `server` is
    `host[:port]`, optionally with the path the mirrored images live under
    (`registry.corp:5000/mirror`); the password comes in `registry_password`.
  EOT
  type = object({
    server           = string
    username         = string
    password_version = optional(number, 1)
    ca_bundle        = optional(string)
  })
  default = null
  validation {
    condition = var.registry == null ? true : can(regex(
    "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$", var.registry.server))
    error_message = "registry.server must be host[:port][/path] without a scheme, with lowercase path components."
  }
  validation {
    condition     = var.registry == null ? true : length(var.registry.username) > 0
    error_message = "registry.username must not be empty."
  }
  validation {
    condition     = var.registry == null ? true : var.registry.ca_bundle == null || can(regex("-----BEGIN CERTIFICATE-----", var.registry.ca_bundle))
    error_message = "registry.ca_bundle must be PEM certificates."
  }
}

variable "registry_password" {
  description = "Password or token of `registry.username`. Write-only: it reaches the registry Secret and the agent's pull Secret, never the plan or state. Raise `registry.password_version` after changing it."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "agent_timeout" {
  description = "How long installing the agent and waiting for its check-in may take (a duration such as `10m`)."
  type        = string
  default     = "10m"
  validation {
    condition     = can(regex("^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$", var.agent_timeout))
    error_message = "agent_timeout must be a Go duration such as 90s, 10m or 1h."
  }
}

# Standalone Fleet (no Rancher) on a site whose controllers reach the outside
# only through a proxy. The fleet-crd and fleet charts come from an OCI mirror
# (pushed there with `helm push`), the images from the same registry.
resource "fleet_install" "this" {
  chart = {
    repository = "oci://registry.corp.example:5000/charts" # pulls <repository>/fleet-crd and <repository>/fleet
    version    = "0.16.0"
    # The registry's CA and read-only account come with the chart block: the
    # machine running Terraform needs no `helm registry login` and need not
    # trust the CA itself.
    ca_bundle           = file("${path.module}/registry-ca.pem")
    username            = "fleet-puller"
    password_wo         = var.registry_password # write-only: never in plan or state
    password_wo_version = 1                     # raise it after changing the password
  }

  # The controllers clone git repositories and download charts through the
  # proxy. The chart has a single proxy URL for HTTP and HTTPS.
  proxy = {
    https_proxy = "http://proxy.corp.example:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
    ca_cert     = file("${path.module}/proxy-ca.pem") # only for a proxy that intercepts TLS; Fleet v0.16 and later
  }

  # Every Fleet image, the controllers' and the agents', under this prefix:
  # registry.corp.example:5000/mirror/rancher/fleet:v0.16.0 and so on.
  system_default_registry = "registry.corp.example:5000/mirror"

  # The same account pulls the images: the provider creates the Secret
  # fleet-image-pull-secret in the namespace (creating the namespace when
  # missing) before the charts, and the controllers pull with it. Fleet v0.16
  # and later.
  image_pull_secret = {
    server              = "registry.corp.example:5000"
    username            = "fleet-puller"
    password_wo         = var.registry_password # write-only, as in chart
    password_wo_version = 1
  }

  # The address agents register with, as they reach it, and its CA.
  api_server_url = "https://fleet.corp.example:6443"
  api_server_ca  = file("${path.module}/fleet-api-ca.pem")
  agent_tls_mode = "strict"

  values = yamlencode({
    controller = { replicas = 2 }
  })

  timeouts {
    create = "15m" # the first pull of the controller images may be slow
  }
}

variable "registry_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

output "fleet_version" {
  value = fleet_install.this.fleet_version # the fleet chart's appVersion
}

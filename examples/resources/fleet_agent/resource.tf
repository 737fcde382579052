# A predefined cluster, and the agent Terraform installs into it: the
# fleet-agent chart of Fleet's release, registering with a token the resource
# creates for the installation, through the site's proxy.
resource "fleet_cluster" "edge" {
  name      = "edge-berlin-1"
  namespace = "fleet-default"
  labels    = { site = "berlin", env = "prod" }
}

resource "fleet_agent" "edge" {
  cluster = fleet_cluster.edge.id

  # Write-only: the provider keeps it in the Secret edge-berlin-1-agent-kubeconfig
  # next to the cluster, for refresh and destroy. Bump the version to rotate it.
  kubernetes = {
    kubeconfig_wo         = file(pathexpand("~/.kube/edge-berlin-1.yaml"))
    kubeconfig_wo_version = 1
  }

  chart = {
    repository = "https://rancher.github.io/fleet-helm-charts/"
    version    = "0.16.0" # the Fleet version of the management cluster
  }

  agent_proxy = {
    https_proxy = "http://proxy.berlin.example.com:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local,.berlin.example.com"
  }

  values = yamlencode({
    agent = { replicas = 1 }
  })

  timeouts {
    create = "15m" # the agent image is pulled first
  }
}

# An air-gapped site: the chart from a local copy, images from the site registry.
resource "fleet_agent" "plant" {
  cluster    = "fleet-default/plant-1"
  kubernetes = { config_path = "/srv/site/plant-1.kubeconfig" }
  chart      = { path = "/srv/site/charts/fleet-agent-0.16.0.tgz" }

  system_default_registry = "registry.plant.internal:5000"
  image_pull_secret = {
    server              = "registry.plant.internal:5000"
    username            = "fleet-puller"
    password_wo         = var.registry_password
    password_wo_version = 1
  }
}

# An air-gapped site whose registry also serves the chart (pushed there with
# `helm push fleet-agent-0.16.0.tgz oci://registry.mill.internal:5000/charts`).
# The registry's CA and account come with the chart block: the machine
# running Terraform needs no `helm registry login` and need not trust the CA.
resource "fleet_agent" "mill" {
  cluster    = "fleet-default/mill-1"
  kubernetes = { config_path = "/srv/site/mill-1.kubeconfig" }
  chart = {
    repository          = "oci://registry.mill.internal:5000/charts" # pulls <repository>/fleet-agent:<version>
    version             = "0.16.0"
    ca_bundle           = file("/srv/site/registry-ca.pem")
    username            = "fleet-puller"
    password_wo         = var.registry_password # write-only: never in the state
    password_wo_version = 1
  }
  system_default_registry = "registry.mill.internal:5000"
}

# A downstream cluster behind a corporate proxy, registered by the Fleet
# controller itself (manager-initiated) from a kubeconfig that never enters
# the Terraform state.
resource "fleet_cluster" "edge" {
  name      = "edge-eu-1"
  namespace = "fleet-default"
  labels    = { env = "prod", region = "eu-west" }

  kubeconfig_wo         = file("${path.module}/edge-eu-1.kubeconfig")
  kubeconfig_wo_version = 1

  agent_proxy = {
    https_proxy = "http://proxy.corp.example:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local,.corp.example"
  }
  private_repo_url   = "registry.corp.example:5000"
  agent_pull_secrets = ["corp-registry"]
  agent_tolerations  = [{ key = "dedicated", operator = "Equal", value = "edge", effect = "NoSchedule" }]
  agent_resources = {
    limits   = { cpu = "500m", memory = "256Mi" }
    requests = { cpu = "100m", memory = "128Mi" }
  }

  wait_for_ready = true
  timeouts {
    create = "10m"
  }
}

# A predefined cluster that an agent registers into (see fleet_agent).
resource "fleet_cluster" "factory" {
  name      = "factory-7"
  namespace = "fleet-default"
  labels    = { env = "prod", site = "factory-7" }
  client_id = "factory-7"
}

# An imported cluster in the provider's default_namespace (Rancher's
# fleet-default workspace unless set otherwise). Its labels reach the Fleet
# Cluster Rancher creates for it, which GitRepos target.
resource "fleet_rancher_cluster" "edge" {
  name   = "edge-berlin-1"
  labels = { env = "prod", region = "eu-central" }

  # The cluster agent (and the Fleet agent) reach Rancher through a proxy.
  agent_proxy = {
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local,rancher.corp"
  }

  cluster_agent_deployment_customization = {
    append_tolerations = [{ key = "node-role.kubernetes.io/edge", operator = "Exists", effect = "NoSchedule" }]
    override_resource_requirements = {
      requests = { cpu = "100m", memory = "256Mi" }
      limits   = { memory = "1Gi" }
    }
  }
}

# To import by hand instead of with fleet_rancher_agent (sensitive: it holds
# the registration token).
output "registration_command" {
  value     = fleet_rancher_cluster.edge.registration_command
  sensitive = true
}

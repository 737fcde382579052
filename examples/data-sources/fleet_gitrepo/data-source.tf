# A GitRepo managed elsewhere, e.g. by the platform team.
data "fleet_gitrepo" "platform" {
  name      = "platform"
  namespace = "fleet-default"
}

output "platform_deployment" {
  value = {
    commit = data.fleet_gitrepo.platform.commit
    ready  = "${data.fleet_gitrepo.platform.ready_clusters}/${data.fleet_gitrepo.platform.desired_ready_clusters}"
    error  = data.fleet_gitrepo.platform.message
  }
}

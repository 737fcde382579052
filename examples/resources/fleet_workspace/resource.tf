# A workspace of standalone Fleet for team A. (With Rancher, create a
# FleetWorkspace instead: Rancher then makes the namespace.)
resource "fleet_workspace" "team_a" {
  name   = "team-a"
  labels = { tenant-workspace = "true" }

  # Destroy refuses while GitRepos, clusters or other Fleet objects remain
  # inside; set to true (and apply) to delete them together.
  force_destroy = false
}

# Objects of the workspace refer to it, so Terraform creates it first and
# deletes it last.
resource "fleet_cluster_group" "team_a_prod" {
  name      = "prod"
  namespace = fleet_workspace.team_a.name
  selector  = { match_labels = { env = "prod" } }
}

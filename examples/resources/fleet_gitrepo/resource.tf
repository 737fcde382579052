# An access token that Terraform never stores: an ephemeral variable feeds the
# write-only password, and the provider keeps it in a Secret of its own.
variable "git_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The manifests and charts under apps/ of a private repository, deployed to
# every production cluster; apply returns once they are ready everywhere.
resource "fleet_gitrepo" "apps" {
  name             = "apps"
  namespace        = "fleet-default"
  repo             = "https://git.example.com/platform/fleet-apps.git"
  branch           = "main"
  paths            = ["apps/*"]
  polling_interval = "1m"

  git_credentials = {
    username               = "fleet"
    password_wo            = var.git_token
    credentials_wo_version = 1 # bump after changing the token
  }

  targets = [
    { name = "prod", cluster_selector = { match_labels = { env = "prod" } } },
  ]
  correct_drift = { enabled = true }

  wait_for_ready = true
  timeouts {
    create = "10m"
    update = "10m"
  }
}

output "apps_commit" {
  value = fleet_gitrepo.apps.commit
}

# Team A may deploy only from its own repositories on the company Git server,
# only with its service account, and only into its own namespaces.
resource "fleet_gitrepo_restriction" "team_a" {
  name      = "team-a"
  namespace = "team-a"

  # Unanchored regular expressions: anchor them to match whole URLs.
  allowed_repo_patterns = [
    "^https://git\\.example\\.com/team-a/",
    "^ssh://git@git\\.example\\.com/team-a/",
  ]

  default_service_account  = "team-a-deployer"
  allowed_service_accounts = ["team-a-deployer"]

  default_client_secret_name  = "team-a-git"
  allowed_client_secret_names = ["team-a-git"]

  # GitRepos must set a target namespace: one of these, or one labelled tenant=team-a.
  allowed_target_namespaces = ["team-a-apps"]
  allowed_target_namespace_selector = {
    match_labels = { tenant = "team-a" }
  }
}

# Team A's workspace: everything it deploys runs under its own service
# account, GitRepos come only from its repositories, and HelmOps install only
# its charts from the company chart repository.
resource "fleet_policy" "team_a" {
  name      = "team-a"
  namespace = "team-a"

  require_service_account  = true
  allowed_service_accounts = ["team-a-deployer"]

  gitrepo = {
    default_service_account     = "team-a-deployer"
    default_client_secret_name  = "team-a-git"
    allowed_client_secret_names = ["team-a-git"]
    # Anchored: each pattern must match the whole URL.
    allowed_repo_patterns = ["https://git\\.example\\.com/team-a/.*"]
  }

  helmop = {
    default_service_account    = "team-a-deployer"
    default_helm_secret_name   = "team-a-charts"
    allowed_helm_secret_names  = ["team-a-charts"]
    allowed_helm_repo_patterns = ["https://charts\\.example\\.com/team-a"]
    allowed_chart_patterns     = ["team-a-.*"]
  }
}

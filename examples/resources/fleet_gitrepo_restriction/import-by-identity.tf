import {
  to = fleet_gitrepo_restriction.team_a
  identity = {
    namespace = "team-a"
    name      = "team-a"
  }
}

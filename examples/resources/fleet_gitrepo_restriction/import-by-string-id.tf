import {
  to = fleet_gitrepo_restriction.team_a
  id = "team-a/team-a"
}

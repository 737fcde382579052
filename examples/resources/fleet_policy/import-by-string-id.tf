import {
  to = fleet_policy.team_a
  id = "team-a/team-a"
}

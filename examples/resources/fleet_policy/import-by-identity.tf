import {
  to = fleet_policy.team_a
  identity = {
    namespace = "team-a"
    name      = "team-a"
  }
}

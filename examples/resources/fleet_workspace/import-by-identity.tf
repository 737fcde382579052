import {
  to = fleet_workspace.team_a
  identity = {
    name = "team-a"
  }
}

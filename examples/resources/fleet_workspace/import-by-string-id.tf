import {
  to = fleet_workspace.team_a
  id = "team-a"
}

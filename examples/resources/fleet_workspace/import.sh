# A workspace is imported by the name of its namespace.
terraform import fleet_workspace.team_a team-a

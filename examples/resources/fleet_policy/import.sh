# A Policy is imported by namespace/name.
terraform import fleet_policy.team_a team-a/team-a

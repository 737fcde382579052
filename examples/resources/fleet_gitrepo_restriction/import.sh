# A GitRepo restriction is imported by namespace/name.
terraform import fleet_gitrepo_restriction.team_a team-a/team-a

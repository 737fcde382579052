# A GitRepo is imported by namespace/name. Write-only credentials cannot be
# read back: the first apply after the import writes their Secret again.
terraform import fleet_gitrepo.apps fleet-default/apps

# A registry is imported by namespace/name of its Secret. The import reads
# password_wo_version back from the Secret, so a configuration that matches
# plans no change; the write-only password itself is never read.
terraform import fleet_registry.corp fleet-default/corp-registry

# A bundle namespace mapping is imported by namespace/name.
terraform import fleet_bundle_namespace_mapping.shared fleet-default/shared-bundles

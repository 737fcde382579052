import {
  to = fleet_bundle_namespace_mapping.shared
  id = "fleet-default/shared-bundles"
}

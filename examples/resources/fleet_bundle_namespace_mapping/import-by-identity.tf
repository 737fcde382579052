import {
  to = fleet_bundle_namespace_mapping.shared
  identity = {
    namespace = "fleet-default"
    name      = "shared-bundles"
  }
}

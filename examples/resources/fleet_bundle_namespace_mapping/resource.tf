# Bundles labelled shared=true in fleet-default may also target the clusters
# of every workspace namespace labelled tenant-workspace=true.
resource "fleet_bundle_namespace_mapping" "shared" {
  name      = "shared-bundles"
  namespace = "fleet-default"

  bundle_selector = {
    match_labels = { shared = "true" }
  }
  namespace_selector = {
    match_expressions = [
      { key = "tenant-workspace", operator = "In", values = ["true"] },
    ]
  }
}

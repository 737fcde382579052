import {
  to = fleet_rancher_cluster.edge
  identity = {
    namespace = "fleet-default"
    name      = "edge-berlin-1"
  }
}

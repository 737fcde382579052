import {
  to = fleet_cluster.edge
  identity = {
    namespace = "fleet-default"
    name      = "edge-eu-1"
  }
}

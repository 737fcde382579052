import {
  to = fleet_cluster_registration_token.edge
  identity = {
    namespace = "fleet-default"
    name      = "edge-token"
  }
}

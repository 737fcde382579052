import {
  to = fleet_cluster_registration_token.edge
  id = "fleet-default/edge-token"
}

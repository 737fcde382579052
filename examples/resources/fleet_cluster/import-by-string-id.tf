import {
  to = fleet_cluster.edge
  id = "fleet-default/edge-eu-1"
}

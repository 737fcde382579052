import {
  to = fleet_rancher_cluster.edge
  id = "fleet-default/edge-berlin-1"
}

import {
  to = fleet_kubesphere_cluster.edge
  id = "edge-berlin-1"
}

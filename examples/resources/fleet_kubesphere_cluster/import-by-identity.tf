import {
  to = fleet_kubesphere_cluster.edge
  identity = {
    name = "edge-berlin-1"
  }
}

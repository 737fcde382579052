import {
  to = fleet_kubesphere_agent.edge
  identity = {
    cluster = "edge-berlin-1"
  }
}

import {
  to = fleet_kubesphere_agent.edge
  id = "edge-berlin-1"
}

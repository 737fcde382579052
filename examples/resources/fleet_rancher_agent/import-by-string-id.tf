import {
  to = fleet_rancher_agent.edge
  id = "fleet-default/edge-berlin-1"
}

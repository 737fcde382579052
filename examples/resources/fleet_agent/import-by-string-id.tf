import {
  to = fleet_agent.edge
  id = "fleet-default/edge-berlin-1"
}

import {
  to = fleet_agent.edge
  identity = {
    cluster = "fleet-default/edge-berlin-1"
  }
}

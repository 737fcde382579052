import {
  to = fleet_rancher_agent.edge
  identity = {
    cluster = "fleet-default/edge-berlin-1"
  }
}

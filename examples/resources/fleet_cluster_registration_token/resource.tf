# A token agents register their clusters with (agent-initiated registration).
resource "fleet_cluster_registration_token" "edge" {
  name      = "edge-token"
  namespace = "fleet-default"
  ttl       = "24h"
}

# The values the fleet-agent chart takes (sensitive).
output "registration_values" {
  value     = fleet_cluster_registration_token.edge.values
  sensitive = true
}

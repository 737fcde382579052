# A token whose registration values stay out of the state.
resource "fleet_cluster_registration_token" "edge" {
  name           = "edge-token"
  namespace      = "fleet-default"
  ttl            = "24h"
  token_in_state = false
}

# Read when needed (Terraform 1.10 and later), never stored: the id makes
# Terraform read it once the token exists.
ephemeral "fleet_cluster_registration_token" "edge" {
  registration_token = fleet_cluster_registration_token.edge.id
}

# Install the agent outside fleet_agent, e.g. with a command run at apply.
resource "terraform_data" "install_agent" {
  provisioner "local-exec" {
    command = "helm install fleet-agent fleet/fleet-agent -n cattle-fleet-system --create-namespace -f - <<< \"$VALUES\""
    environment = {
      VALUES = ephemeral.fleet_cluster_registration_token.edge.values
    }
    interpreter = ["bash", "-c"]
  }
}

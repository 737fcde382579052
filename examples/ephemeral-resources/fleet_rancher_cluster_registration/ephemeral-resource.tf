# An imported cluster whose registration command stays out of the state.
resource "fleet_rancher_cluster" "edge" {
  name           = "edge-1"
  token_in_state = false
}

# Read when needed (Terraform 1.10 and later), never stored: the id makes
# Terraform read it once Rancher has registered the cluster.
ephemeral "fleet_rancher_cluster_registration" "edge" {
  cluster = fleet_rancher_cluster.edge.id
}

# Import the cluster by hand, here with the downstream cluster's kubeconfig.
resource "terraform_data" "import" {
  provisioner "local-exec" {
    command = "$REGISTRATION_COMMAND --kubeconfig edge-1.kubeconfig"
    environment = {
      REGISTRATION_COMMAND = ephemeral.fleet_rancher_cluster_registration.edge.registration_command
    }
  }
}

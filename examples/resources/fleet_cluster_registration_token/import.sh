# A registration token is imported by namespace/name.
terraform import fleet_cluster_registration_token.edge fleet-default/edge-token

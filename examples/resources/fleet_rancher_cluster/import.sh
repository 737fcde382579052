# A Rancher cluster is imported by namespace/name.
terraform import fleet_rancher_cluster.edge fleet-default/edge-berlin-1

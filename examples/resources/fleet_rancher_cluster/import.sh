# A Rancher cluster is imported by fleet_workspace_name/name.
terraform import fleet_rancher_cluster.edge fleet-default/edge-berlin-1

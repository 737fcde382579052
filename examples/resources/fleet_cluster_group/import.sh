# A cluster group is imported by namespace/name.
terraform import fleet_cluster_group.prod_eu fleet-default/prod-eu

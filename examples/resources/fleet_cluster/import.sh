# A cluster is imported by namespace/name. A kubeconfig given with kubeconfig_wo
# cannot be read back: set kubeconfig_wo_version again in the configuration.
terraform import fleet_cluster.edge fleet-default/edge-eu-1

# A KubeSphere cluster is imported by its name.
terraform import fleet_kubesphere_cluster.edge edge-berlin-1

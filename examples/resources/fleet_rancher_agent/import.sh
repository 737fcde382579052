# An import is identified by its Rancher cluster, namespace/name.
# The connection and rancher_ca cannot be read back: the first apply after the
# import records them (an update that re-applies the manifest, which changes
# nothing in the cluster). Objects found in place are not deleted on destroy.
terraform import fleet_rancher_agent.edge fleet-default/edge-berlin-1

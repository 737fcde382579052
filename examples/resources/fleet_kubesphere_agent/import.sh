# An agent is identified by its KubeSphere cluster's name. The connection and
# what was rendered from the configuration cannot be read back: the first
# apply after the import records them (an update that applies the same
# manifest again). Objects found in place are not deleted on destroy.
terraform import fleet_kubesphere_agent.edge edge-berlin-1

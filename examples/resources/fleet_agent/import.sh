# A fleet_agent is imported by the Cluster it registered as,
# <cluster namespace>/<cluster name>. Only agents installed with
# kubernetes.kubeconfig_wo can be imported: the provider finds the downstream
# cluster through the kubeconfig it keeps in <cluster name>-agent-kubeconfig.
# The chart's source (repository or path) is recorded nowhere, and the values
# read back in Helm's spelling: the first apply after the import records the
# configuration's (a helm upgrade when the values differ).
terraform import fleet_agent.edge fleet-default/edge-berlin-1

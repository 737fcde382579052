# Installs the KubeSphere agent of fleet_kubesphere_cluster.edge in the member
# behind ~/.kube/edge-berlin-1.yaml and waits until KubeSphere reports the
# cluster ready. The agent dials the address the host publishes (or
# proxy_server) through the corporate proxy.
resource "fleet_kubesphere_agent" "edge" {
  cluster = fleet_kubesphere_cluster.edge.name

  kubernetes = {
    config_path = pathexpand("~/.kube/edge-berlin-1.yaml")
  }

  agent_proxy = {
    https_proxy = "http://proxy.corp:3128"
    no_proxy    = "127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.svc,.cluster.local"
  }
  tolerations = [{ key = "node-role.kubernetes.io/edge", operator = "Exists", effect = "NoSchedule" }]

  timeouts {
    create = "40m" # 4.x: the host installs ks-core in the member first
  }
}

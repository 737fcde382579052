import {
  to = fleet_cluster_group.prod_eu
  identity = {
    namespace = "fleet-default"
    name      = "prod-eu"
  }
}

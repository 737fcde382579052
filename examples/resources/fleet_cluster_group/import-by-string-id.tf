import {
  to = fleet_cluster_group.prod_eu
  id = "fleet-default/prod-eu"
}

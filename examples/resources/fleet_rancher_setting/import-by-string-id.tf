import {
  to = fleet_rancher_setting.registry
  id = "system-default-registry"
}

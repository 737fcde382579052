import {
  to = fleet_rancher_setting.registry
  identity = {
    name = "system-default-registry"
  }
}

import {
  to = fleet_registry.corp
  identity = {
    namespace = "fleet-default"
    name      = "corp-registry"
  }
}

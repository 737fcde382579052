import {
  to = fleet_registry.corp
  id = "fleet-default/corp-registry"
}

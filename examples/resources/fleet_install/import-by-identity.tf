import {
  to = fleet_install.this
  identity = {
    namespace = "cattle-fleet-system"
  }
}

import {
  to = fleet_install.this
  id = "cattle-fleet-system"
}

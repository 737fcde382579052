import {
  to = fleet_gitrepo.apps
  identity = {
    namespace = "fleet-default"
    name      = "apps"
  }
}

import {
  to = fleet_gitrepo.apps
  id = "fleet-default/apps"
}

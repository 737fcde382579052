import {
  to = fleet_helmop.ingress
  id = "fleet-default/ingress-nginx"
}

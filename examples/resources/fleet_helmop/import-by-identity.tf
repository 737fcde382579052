import {
  to = fleet_helmop.ingress
  identity = {
    namespace = "fleet-default"
    name      = "ingress-nginx"
  }
}

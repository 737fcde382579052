data "fleet_kubesphere_host" "this" {}

# Where the members' agents will dial: empty while Tower's LoadBalancer is
# pending and no proxyPublishAddress is set.
output "tower_address" {
  value = data.fleet_kubesphere_host.this.proxy_publish_address
}

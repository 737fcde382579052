# The images to copy into the private registry for Fleet v0.16.0 and the
# charts the fleet deploys.
data "fleet_images" "airgap" {
  fleet_version = "v0.16.0"
  image_prefix  = "registry.corp:5000/mirror"
  extra_images  = ["nginx:1.27", "ghcr.io/stefanprodan/podinfo:6.7.1"]
}

# `source target` lines for a copy loop on a machine that reaches both:
#   terraform output -raw images_to_mirror |
#     while read src dst; do skopeo copy --all "docker://$src" "docker://$dst"; done
output "images_to_mirror" {
  value = data.fleet_images.airgap.mapping
}

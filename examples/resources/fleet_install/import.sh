# Fleet installed with Helm outside Terraform is imported by the namespace of
# its two releases, fleet-crd and fleet. The chart's source (repository or
# path, and how to reach it) is recorded nowhere: the import reads only
# chart.version from the release, so the configuration must name the source,
# and the first apply after the import records it. The values are read back in
# Helm's spelling (what no attribute covers lands in `values` as YAML): that
# first apply also records the configuration's (a helm upgrade when they differ).
terraform import fleet_install.this cattle-fleet-system

# A HelmOp is imported by namespace/name. Helm values are read back as
# compact JSON, as jsonencode writes them; write-only credentials cannot be
# read back, and the first apply after the import writes their Secret again.
terraform import fleet_helmop.ingress fleet-default/ingress-nginx

# A setting is imported by its name. After an import, destroy leaves the value
# as it is (the value before Terraform managed it is unknown).
terraform import fleet_rancher_setting.registry system-default-registry

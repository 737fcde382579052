// Package rancher holds the Rancher-managed side of a fleet: fleet_rancher_cluster
// (provisioning.cattle.io), fleet_rancher_agent (Rancher's import manifest,
// applied downstream) and fleet_rancher_setting (management.cattle.io).
package rancher

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewClusterResource, NewAgentResource, NewSettingResource}
}

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{}
}

// EphemeralResources lists the ephemeral resource types of this package.
func EphemeralResources() []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewRegistrationEphemeralResource}
}

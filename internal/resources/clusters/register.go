// Package clusters holds Fleet's clusters: fleet_cluster (manager-initiated
// registration and agent settings), fleet_cluster_group,
// fleet_cluster_registration_token, and the cluster data sources.
package clusters

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewClusterResource, NewClusterGroupResource, NewClusterRegistrationTokenResource}
}

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{NewClusterDataSource, NewClustersDataSource, NewClusterGroupDataSource}
}

// EphemeralResources lists the ephemeral resource types of this package.
func EphemeralResources() []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewRegistrationTokenEphemeralResource}
}

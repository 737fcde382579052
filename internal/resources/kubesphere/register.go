// Package kubesphere holds the KubeSphere side of a fleet: member clusters
// joined to a KubeSphere host over the agent connection, declared like the
// Rancher import. fleet_kubesphere_cluster (the host's Cluster object),
// fleet_kubesphere_agent (the agent Deployment, applied in the member) and
// the fleet_kubesphere_host data source.
package kubesphere

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewClusterResource, NewAgentResource}
}

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{NewHostDataSource}
}

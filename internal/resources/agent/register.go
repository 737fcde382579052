// Package agent holds fleet_agent: agent-initiated registration, which installs the
// fleet-agent Helm chart into a downstream cluster.
package agent

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewResource}
}

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{}
}

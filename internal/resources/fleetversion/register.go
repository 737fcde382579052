// Package fleetversion tells Terraform modules which Fleet the management
// cluster runs (data source fleet_version), so that they can branch on it:
// what the provider learned through internal/compat.
package fleetversion

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{NewVersionDataSource}
}

// Package workloads holds what Fleet deploys: fleet_gitrepo and fleet_helmop, and the
// fleet_gitrepo data source, with their credentials Secrets and the waits that
// follow a deployment to the downstream clusters.
package workloads

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewGitRepoResource, NewHelmOpResource}
}

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{NewGitRepoDataSource}
}

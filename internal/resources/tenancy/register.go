// Package tenancy holds how a Fleet estate is divided between teams: workspaces
// (fleet_workspace), what each may deploy (fleet_gitrepo_restriction,
// fleet_policy) and where bundles may go (fleet_bundle_namespace_mapping).
package tenancy

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewWorkspaceResource, NewGitRepoRestrictionResource, NewPolicyResource, NewBundleNamespaceMappingResource}
}

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{}
}

// Package resources holds the provider's resources and data sources, one file
// set per type: its model and schema next to its CRUD, with the shared pieces
// (object metadata, label selectors, server-side apply) in their own files.
package resources

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists every resource type of the provider.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{
		NewClusterGroupResource,
		NewGitRepoResource,
		NewHelmOpResource,
		NewClusterResource,
		NewClusterRegistrationTokenResource,
		NewGitRepoRestrictionResource,
		NewBundleNamespaceMappingResource,
		NewWorkspaceResource,
		NewRegistryResource,
		NewAgentResource,
		NewRancherClusterResource,
		NewRancherAgentResource,
		NewRancherSettingResource,
	}
}

// DataSources lists every data source type of the provider.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewClusterGroupDataSource,
		NewClusterDataSource,
		NewGitRepoDataSource,
		NewClustersDataSource,
		NewImagesDataSource,
		NewRegistriesYAMLDataSource,
	}
}

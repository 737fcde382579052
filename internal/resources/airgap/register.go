// Package airgap holds what sites without internet need: fleet_registry (a private
// registry's pull Secret), and the fleet_images and fleet_registries_yaml data
// sources for mirroring images and configuring nodes.
package airgap

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewRegistryResource}
}

// DataSources lists the data source types of this package.
func DataSources() []func() datasource.DataSource {
	return []func() datasource.DataSource{NewImagesDataSource, NewRegistriesYAMLDataSource}
}

// Package install holds fleet_install: standalone Fleet installed into the
// management cluster from its two Helm charts.
package install

import "github.com/hashicorp/terraform-plugin-framework/resource"

// Resources lists the resource types of this package.
func Resources() []func() resource.Resource {
	return []func() resource.Resource{NewResource}
}

package provider

import (
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/resources/agent"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/airgap"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/fleetversion"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/install"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/kubesphere"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/tenancy"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/workloads"
)

// Resources lists every resource type of the provider: each domain package
// owns its own list.
func Resources() []func() resource.Resource {
	return slices.Concat(
		workloads.Resources(), tenancy.Resources(), clusters.Resources(),
		agent.Resources(), rancher.Resources(), airgap.Resources(), kubesphere.Resources(), install.Resources(),
	)
}

// DataSources lists every data source type of the provider.
func DataSources() []func() datasource.DataSource {
	return slices.Concat(
		workloads.DataSources(), tenancy.DataSources(), clusters.DataSources(),
		agent.DataSources(), rancher.DataSources(), airgap.DataSources(), kubesphere.DataSources(), fleetversion.DataSources(),
	)
}

// EphemeralResources lists every ephemeral resource type of the provider.
func EphemeralResources() []func() ephemeral.EphemeralResource {
	return slices.Concat(clusters.EphemeralResources(), rancher.EphemeralResources())
}

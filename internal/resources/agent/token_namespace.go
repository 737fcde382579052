package agent

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// checkTokenNamespace refuses a registration token outside the cluster's
// namespace: an agent registers into its token's namespace, so Fleet would
// create a stray Cluster there while the one named by `cluster` never
// registers. It runs where both values are first known: ValidateConfig for
// literals, ModifyPlan for values of existing resources, and Create for the
// documented `registration_token = fleet_cluster_registration_token.x.id`,
// which is unknown until the token exists.
func checkTokenNamespace(cluster, token types.String) diag.Diagnostics {
	var diags diag.Diagnostics
	if cluster.IsNull() || cluster.IsUnknown() || token.IsNull() || token.IsUnknown() {
		return diags
	}
	clusterNS, _, err1 := validate.SplitNamespacedName(cluster.ValueString())
	tokenNS, _, err2 := validate.SplitNamespacedName(token.ValueString())
	if err1 == nil && err2 == nil && clusterNS != tokenNS {
		diags.AddAttributeError(path.Root("registration_token"), "Token in another namespace",
			fmt.Sprintf("An agent registers into the namespace of its token: use a token in %s, the cluster's namespace, not %s.", clusterNS, tokenNS))
	}
	return diags
}

package downstream

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// ConnectStored connects to the downstream cluster with the connection in
// state for refresh and destroy, which get no write-only value: with
// kubeconfig_wo, the kubeconfig comes from store on the management cluster
// (upstream). nil without a connection (right after an import).
func ConnectStored(ctx context.Context, m *KubernetesModel, store KubeconfigStore, upstream *kube.Client) (*Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	if m == nil {
		return nil, diags
	}
	kubeconfig := ""
	if !m.KubeconfigWOVersion.IsNull() {
		var err error
		if kubeconfig, _, err = store.Load(ctx, upstream); err != nil {
			diags.AddAttributeError(KubernetesPath, "Cannot read the stored kubeconfig",
				err.Error()+". Raise kubernetes.kubeconfig_wo_version and apply to store it again.")
			return nil, diags
		}
	}
	return Connect(ctx, m, kubeconfig)
}

package downstream

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Terraform gives refresh and destroy only the state: the connection
// attributes as the last apply stored them, and, for kubeconfig_wo, the
// kubeconfig the provider keeps upstream. Credentials that expired (an EKS
// or GKE token), were revoked, or a stored kubeconfig that is gone or was
// tampered with, are fixed by an apply with the configuration's
// credentials: so a refresh that meets them keeps the prior state, warns,
// and lets the resource plan an update, rather than failing every plan.

// Unreachable says why a refresh cannot use what the state has to reach the
// downstream cluster, when an apply with the configuration fixes it.
type Unreachable struct{ Reason string }

// PrivateState is the private state of a Read response (which holds the
// request's).
type PrivateState interface {
	privateGetter
	privateSetter
}

// StoredKubeconfig returns the kubeconfig to connect with outside create
// and update: "" unless m uses kubeconfig_wo, else the one store keeps,
// checked against digest (see KubeconfigStore.Load).
func StoredKubeconfig(ctx context.Context, up *kube.Client, m *KubernetesModel, store KubeconfigStore, digest string) (string, error) {
	if m == nil || m.KubeconfigWOVersion.IsNull() {
		return "", nil
	}
	kubeconfig, _, err := store.Load(ctx, up, digest)
	return kubeconfig, err
}

// Reach connects for a refresh with the connection in state m and the
// kubeconfig store keeps, if m uses one; private holds its digest (a state
// from before digests were kept gets the digest of what the Secret holds
// now). A nil Cluster with a non-nil Unreachable means: keep the prior
// state, warn (Warning), plan an update. Other errors are error
// diagnostics.
func Reach(ctx context.Context, up *kube.Client, m *KubernetesModel, store KubeconfigStore, private PrivateState) (*Cluster, *Unreachable, diag.Diagnostics) {
	var diags diag.Diagnostics
	digest := StoredDigest(ctx, private)
	kubeconfig, err := StoredKubeconfig(ctx, up, m, store, digest)
	switch {
	case errors.Is(err, framework.ErrNotFound) || errors.Is(err, ErrStoredKubeconfigUnusable):
		return nil, &Unreachable{Reason: err.Error()}, diags
	case err != nil:
		diags.AddAttributeError(KubernetesPath, "Cannot read the stored kubeconfig", err.Error())
		return nil, nil, diags
	case kubeconfig != "" && digest == "":
		diags.Append(KeepDigest(ctx, private, Digest(kubeconfig))...)
	}
	c, d := Open(ctx, m, kubeconfig)
	if diags.Append(d...); diags.HasError() {
		return nil, nil, diags
	}
	if err := c.Check(ctx); err != nil {
		return nil, &Unreachable{Reason: err.Error()}, diags
	}
	return c, nil, diags
}

// Warning tells the user that refresh kept the prior state, why, and how to
// fix it.
func (u *Unreachable) Warning() diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(KubernetesPath, "Cannot refresh from the downstream cluster",
		u.Reason+"\n\nRefresh kept the prior state and plans an update. Apply with working credentials in the kubernetes "+
			"block of the configuration: the update uses them and stores them for the next refresh. Refresh and destroy "+
			"only have what the state holds, so for short-lived tokens (EKS, GKE) use kubernetes.exec or "+
			"kubernetes.kubeconfig_wo rather than kubernetes.token.")
}

package agent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"helm.sh/helm/v3/pkg/release"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
)

func (r *agentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	var state agentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, reportWarnings := framework.CollectAPIWarnings(ctx, agentWarnings)
	defer reportWarnings(&resp.Diagnostics)
	upstream, target := r.Data.Client, state.target()
	imported := framework.WasImported(ctx, req.Private)
	if state.Kubernetes == nil {
		k, err := importedKubernetes(ctx, upstream, target)
		if err != nil {
			resp.Diagnostics.AddError("Cannot import the agent", err.Error())
			return
		}
		state.Kubernetes = k
	}
	down, unreachable, d := downstream.Reach(ctx, upstream, state.Kubernetes, target.kubeconfigStore(), resp.Private)
	if resp.Diagnostics.Append(d...); resp.Diagnostics.HasError() {
		return
	}
	if unreachable != nil {
		if imported {
			resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot import the agent", unreachable.Reason)
			return
		}
		// The release cannot be read: keep the prior state and plan an
		// update, which connects with the configuration's credentials.
		resp.Diagnostics.Append(unreachable.Warning())
		state.ReleaseStatus = types.StringValue(release.StatusUnknown.String())
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	helm, err := newHelm(down.RESTConfig(ctx))
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot use Helm downstream", err.Error())
		return
	}
	rel, err := lastRelease(helm)
	if errors.Is(err, framework.ErrNotFound) || (err == nil && helmchart.Status(rel) == release.StatusUninstalled) {
		resp.Diagnostics.Append(releaseGoneWarning(down.Host(), target, state.Kubernetes))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot read the fleet-agent release", err.Error())
		return
	}

	// After adoption the release renders nothing: a change to it is Fleet's
	// business, not drift (see adoption.go).
	adoptedBy, err := adoptingRelease(ctx, down)
	if err != nil {
		resp.Diagnostics.AddAttributeError(downstream.KubernetesPath, "Cannot read the agent Deployment", err.Error())
		return
	}
	modified := !imported && adoptedBy == "" && state.ReleaseStatus.ValueString() == release.StatusDeployed.String() && !state.releaseMatches(rel)
	if imported {
		resp.Diagnostics.Append(state.flattenImported(ctx, upstream, rel)...)
	}
	state.setRelease(rel)
	if modified {
		state.ReleaseStatus = types.StringValue(releaseModified)
	}
	if state.DownstreamUID.IsNull() || state.DownstreamUID.ValueString() == "" {
		state.DownstreamUID, _ = down.IdentityOf(ctx, types.StringNull()) // a state from before it was recorded
	}
	cluster, err := clusters.ClusterAPI.Get(ctx, upstream, target.namespace, target.name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
		state.Registered = types.BoolValue(false)
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("cluster"), "Cannot read the Cluster", err.Error())
		return
	default:
		state.Registered = types.BoolValue(checkedInSince(cluster, storedInstalledAt(ctx, req.Private)))
		if lost := state.forgetLostClusterFields(cluster); len(lost) > 0 && !imported {
			resp.Diagnostics.AddAttributeWarning(path.Root("cluster"), "The Cluster lost the agent's settings", fmt.Sprintf(
				"Cluster %s no longer has the %s that fleet_agent put there (another apply, e.g. fleet_cluster's, replaced the list), "+
					"so the agent Fleet renders lacks them. The plan restores them; if fleet_cluster now manages that list, the apply "+
					"fails and says what to set there.", target, strings.Join(lost, " and ")))
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

// forgetLostClusterFields drops from the state the proxy and pull secret
// fleet_agent put on the Cluster when the Cluster no longer has them, so the
// plan shows them added again, and returns what was lost. Fleet keeps the
// lists whole: an apply of the list by anyone else replaces them.
func (m *agentModel) forgetLostClusterFields(c *fleet.Cluster) []string {
	var lost []string
	if m.AgentProxy != nil {
		if _, current := agentspec.SplitAgentEnv(c.Spec.AgentEnvVars, true); current == nil || !sameEnv(current.EnvVars(), m.AgentProxy.EnvVars()) {
			m.AgentProxy, lost = nil, append(lost, "proxy variables (agentEnvVars)")
		}
	}
	if m.ImagePullSecret != nil {
		var secrets []corev1.LocalObjectReference
		if c.Spec.AgentPullSecrets != nil {
			secrets = *c.Spec.AgentPullSecrets
		}
		if !slices.Contains(secrets, corev1.LocalObjectReference{Name: agentPullSecretName}) {
			m.ImagePullSecret, lost = nil, append(lost, "pull secret "+agentPullSecretName+" (agentPullSecrets)")
		}
	}
	return lost
}

// releaseGoneWarning says that the release was removed outside Terraform,
// so the resource leaves the state (the plan installs it again), and what
// the provider wrote for it stays until then.
func releaseGoneWarning(host string, t agentTarget, k *downstream.KubernetesModel) diag.Diagnostic {
	left := "the fields fleet_agent set on Cluster " + t.String()
	if k != nil && !k.KubeconfigWOVersion.IsNull() {
		store := t.kubeconfigStore()
		left += fmt.Sprintf(" and the Secret %s/%s that keeps kubernetes.kubeconfig_wo", store.Namespace, store.Name)
	}
	return diag.NewWarningDiagnostic("The fleet-agent release is gone", fmt.Sprintf("There is no %s release in %s at %s any more (uninstalled "+
		"outside Terraform?), so fleet_agent leaves the state and the plan installs it again. Until that apply, %s stay. "+
		"If you remove fleet_agent from the configuration instead, delete them by hand.", agentReleaseName, agentNamespace, host, left))
}

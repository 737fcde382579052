package clusters

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

// rancherClusterLabel is set by Rancher on the Fleet Cluster it creates for
// each of its clusters (its fleetcluster controller), with the Rancher
// cluster's ID as value.
const rancherClusterLabel = "management.cattle.io/cluster-name"

// rancherOwned says why fleet_cluster must not manage a Cluster that Rancher
// created: Rancher re-applies its own spec and labels over any change, and
// deleting the Cluster would deregister the Rancher cluster's agent.
func rancherOwned(c *fleet.Cluster) string {
	id, ok := c.Labels[rancherClusterLabel]
	if !ok {
		return ""
	}
	return fmt.Sprintf("Rancher created this Fleet Cluster for its cluster %s (label %s) and owns it: Rancher would undo "+
		"changes made here, and deleting it would deregister the cluster. Manage it with fleet_rancher_cluster instead: "+
		"its labels and agent settings reach this Fleet Cluster.", id, rancherClusterLabel)
}

// kubeconfigOwner is the fleet_cluster the kubeconfig Secret belongs to.
func kubeconfigOwner(m *clusterModel) framework.SecretOwner {
	return framework.SecretOwner{Type: clusterType, ID: m.Namespace.ValueString() + "/" + m.Name.ValueString()}
}

// beforeClusterApply refuses to drop what fleet_agent put on the Cluster,
// then writes the kubeconfig Secret.
func beforeClusterApply(ctx context.Context, c *kube.Client, req framework.ApplyRequest[clusterModel]) diag.Diagnostics {
	var diags diag.Diagnostics
	// On create the Cluster was just found missing: no fleet_agent put
	// anything on it, and a second GET would only say so again.
	if req.State != nil {
		if diags = refuseDroppingAgentEntries(ctx, c, req.Plan); diags.HasError() {
			return diags
		}
	}
	diags.Append(writeClusterKubeconfig(ctx, c, req)...)
	return diags
}

// afterClusterApply ties the kubeconfig Secret to the Cluster, so the
// garbage collector deletes it with the Cluster, then waits as configured.
func afterClusterApply(ctx context.Context, c *kube.Client, plan *clusterModel, applied *fleet.Cluster, _ bool) (*fleet.Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !plan.KubeconfigWOVersion.IsNull() {
		ref := metav1.OwnerReference{APIVersion: fleet.APIVersion, Kind: fleet.KindCluster, Name: applied.Name, UID: applied.UID}
		if err := framework.SetSecretOwnerReference(ctx, c, kubeconfigOwner(plan), applied.Namespace, kubeconfigSecretName(applied.Name), ref); err != nil {
			diags.AddWarning("Cannot tie the kubeconfig Secret to the Cluster", err.Error())
		}
	}
	current, d := awaitClusterCheckIn(ctx, c, plan, applied)
	diags.Append(d...)
	return current, diags
}

// refuseDroppingAgentEntries stops an apply that would silently remove the
// proxy variables or pull Secret a fleet_agent put on the Cluster: Fleet
// keeps agentEnvVars and agentPullSecrets as atomic lists, so applying one
// without those entries takes the whole list over, and Fleet re-renders the
// adopted agent without them (a cluster behind a proxy goes offline).
func refuseDroppingAgentEntries(ctx context.Context, c *kube.Client, plan *clusterModel) diag.Diagnostics {
	var diags diag.Diagnostics
	live, err := ClusterAPI.Get(ctx, c, plan.Namespace.ValueString(), plan.Name.ValueString())
	if errors.Is(err, framework.ErrNotFound) {
		return diags
	}
	if err != nil {
		diags.AddError("Cannot read the Cluster", err.Error())
		return diags
	}
	planned, d := plan.Expand(ctx)
	if diags.Append(d...); diags.HasError() {
		return diags
	}
	who := fmt.Sprintf("fleet_agent (field manager %s) put", agentspec.AgentFieldManager)
	if len(planned.Spec.AgentEnvVars) > 0 && agentspec.OwnsSpecField(live.ObjectMeta, agentspec.AgentFieldManager, "agentEnvVars") {
		if missing := missingEnv(live.Spec.AgentEnvVars, planned.Spec.AgentEnvVars); len(missing) > 0 {
			at := path.Root("agent_env_vars")
			if plan.AgentProxy != nil {
				at = path.Root("agent_proxy")
			}
			diags.AddAttributeError(at, "Conflicting Cluster settings", fmt.Sprintf("%s %s into the agent variables of Cluster %s/%s. "+
				"Fleet keeps them as one list, so this apply would remove them, and Fleet would re-render the agent without them. "+
				"Set the same agent_proxy here, or remove agent_proxy from that fleet_agent first.",
				who, strings.Join(missing, ", "), live.Namespace, live.Name))
		}
	}
	if planned.Spec.AgentPullSecrets != nil && live.Spec.AgentPullSecrets != nil &&
		agentspec.OwnsSpecField(live.ObjectMeta, agentspec.AgentFieldManager, "agentPullSecrets") {
		for _, ref := range *live.Spec.AgentPullSecrets {
			if !slices.Contains(*planned.Spec.AgentPullSecrets, ref) {
				diags.AddAttributeError(path.Root("agent_pull_secrets"), "Conflicting Cluster settings", fmt.Sprintf(
					"%s %q into the agent pull secrets of Cluster %s/%s. Fleet keeps them as one list, so this apply would remove it: "+
						"add %[2]q to agent_pull_secrets, or remove image_pull_secret from that fleet_agent first.",
					who, ref.Name, live.Namespace, live.Name))
			}
		}
	}
	return diags
}

// missingEnv names the variables of have that want lacks or sets otherwise.
func missingEnv(have, want []corev1.EnvVar) []string {
	var missing []string
	for _, h := range have {
		if !slices.ContainsFunc(want, func(w corev1.EnvVar) bool { return reflect.DeepEqual(h, w) }) {
			missing = append(missing, h.Name)
		}
	}
	return missing
}

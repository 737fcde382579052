package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

// agentFieldManager writes what fleet_agent sets on a Cluster.
const agentFieldManager = agentspec.AgentFieldManager

// agentPullSecretName is the image pull Secret fleet_agent creates downstream.
const agentPullSecretName = "fleet-agent-pull-secret"

// agentClusterApply is the Cluster as fleet_agent applies it: only the
// fields it owns.
type agentClusterApply struct {
	metav1.TypeMeta `json:",inline"`
	Metadata        agentClusterMeta `json:"metadata"`
	Spec            agentClusterSpec `json:"spec"`
}

type agentClusterMeta struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type agentClusterSpec struct {
	ClientID         string                        `json:"clientID,omitempty"`
	AgentEnvVars     []corev1.EnvVar               `json:"agentEnvVars,omitempty"`
	AgentPullSecrets []corev1.LocalObjectReference `json:"agentPullSecrets,omitempty"`
}

// agentClusterFields computes what fleet_agent applies to the Cluster:
//   - clientID when it generates it now, or owns it from before (an apply
//     without it would give it up, and remove it);
//   - agentEnvVars with the proxy variables when agent_proxy is set;
//   - agentPullSecrets with the pull Secret when image_pull_secret is set.
//
// agentEnvVars and agentPullSecrets are atomic lists: whoever applies one
// owns all of it. fleet_agent keeps the entries others put there. When
// fleet_cluster (FieldManager) owns a list, it must already carry the same
// proxy or pull secret: otherwise each apply would undo the other's, a
// perpetual diff; the error says which attribute to set.
func agentClusterFields(c *fleet.Cluster, clientID string, generated bool, proxy *agentspec.ProxyModel, pullSecret bool) (agentClusterSpec, error) {
	var spec agentClusterSpec
	if generated || agentspec.OwnsSpecField(c.ObjectMeta, agentFieldManager, "clientID") {
		spec.ClientID = clientID
	}

	others, current := agentspec.SplitAgentEnv(c.Spec.AgentEnvVars, true)
	if proxy != nil && agentspec.OwnsSpecField(c.ObjectMeta, framework.FieldManager, "agentEnvVars") && !sameEnv(current.EnvVars(), proxy.EnvVars()) {
		return spec, fmt.Errorf("fleet_cluster manages the agent variables (agent_env_vars/agent_proxy) of Cluster %s/%s "+
			"without this proxy. Fleet keeps them as one list, so set agent_proxy on that fleet_cluster too, with the same values",
			c.Namespace, c.Name)
	}
	if proxy != nil || (len(others) > 0 && agentspec.OwnsSpecField(c.ObjectMeta, agentFieldManager, "agentEnvVars")) {
		spec.AgentEnvVars = agentspec.AgentEnv(others, proxy)
	}

	var secrets []corev1.LocalObjectReference
	if c.Spec.AgentPullSecrets != nil {
		secrets = *c.Spec.AgentPullSecrets
	}
	listed := slices.ContainsFunc(secrets, func(r corev1.LocalObjectReference) bool { return r.Name == agentPullSecretName })
	if pullSecret {
		if !listed && agentspec.OwnsSpecField(c.ObjectMeta, framework.FieldManager, "agentPullSecrets") {
			return spec, fmt.Errorf("fleet_cluster manages the agent pull secrets (agent_pull_secrets) of Cluster %s/%s. "+
				"Fleet keeps them as one list, so add %q to that fleet_cluster's agent_pull_secrets", c.Namespace, c.Name, agentPullSecretName)
		}
		if !listed {
			secrets = append(slices.Clone(secrets), corev1.LocalObjectReference{Name: agentPullSecretName})
		}
		spec.AgentPullSecrets = secrets
	}
	return spec, nil
}

// sameEnv compares variables regardless of order.
func sameEnv(a, b []corev1.EnvVar) bool {
	toMap := func(env []corev1.EnvVar) map[string]string {
		m := map[string]string{}
		for _, e := range env {
			m[e.Name] = e.Value
		}
		return m
	}
	return maps.Equal(toMap(a), toMap(b))
}

// applyAgentClusterFields writes spec as agentFieldManager. Fields it owned
// before and spec leaves out are given up.
func applyAgentClusterFields(ctx context.Context, c *kube.Client, namespace, name string, spec agentClusterSpec) error {
	dyn, err := c.Dynamic()
	if err != nil {
		return err
	}
	body, err := json.Marshal(agentClusterApply{
		TypeMeta: fleet.TypeMeta(fleet.KindCluster),
		Metadata: agentClusterMeta{Name: name, Namespace: namespace},
		Spec:     spec,
	})
	if err != nil {
		return err
	}
	force := true
	_, err = dyn.Resource(fleet.Clusters).Namespace(namespace).Patch(ctx, name, k8stypes.ApplyPatchType, body,
		metav1.PatchOptions{FieldManager: agentFieldManager, Force: &force})
	if err != nil {
		return fmt.Errorf("apply Cluster %s/%s: %w", namespace, name, err)
	}
	return nil
}

package agent

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// agentPodProblems describes agent pods that are not running, for the
// error of a registration that does not happen.
func agentPodProblems(ctx context.Context, d *downstream.Cluster) string {
	pods, err := d.Core().CoreV1().Pods(agentNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app=fleet-agent"})
	if err != nil || len(pods.Items) == 0 {
		return ""
	}
	for _, p := range pods.Items {
		for _, s := range p.Status.ContainerStatuses {
			if w := s.State.Waiting; w != nil && w.Reason != "" {
				return fmt.Sprintf("pod %s/%s is waiting: %s %s", p.Namespace, p.Name, w.Reason, w.Message)
			}
		}
		if p.Status.Phase == corev1.PodPending {
			return fmt.Sprintf("pod %s/%s is pending", p.Namespace, p.Name)
		}
	}
	return ""
}

// agentTarget is the Cluster a fleet_agent registers as.
type agentTarget struct{ namespace, name string }

func (m *agentModel) target() agentTarget {
	ns, name, _ := validate.SplitNamespacedName(m.Cluster.ValueString()) // validated
	return agentTarget{ns, name}
}

func (t agentTarget) String() string { return t.namespace + "/" + t.name }

// owner is the fleet_agent the Secrets it writes belong to.
func (t agentTarget) owner() framework.SecretOwner {
	return framework.SecretOwner{Type: "fleet_agent", ID: t.String()}
}

// kubeconfigStore keeps kubernetes.kubeconfig_wo next to the Cluster.
func (t agentTarget) kubeconfigStore() downstream.KubeconfigStore {
	return downstream.KubeconfigStore{Owner: t.owner(), Namespace: t.namespace, Name: t.name + "-agent-kubeconfig"}
}

// ownedTokenName is the token the resource creates when none is configured.
func (t agentTarget) ownedTokenName() string { return t.name + "-agent-token" }

// readTargetCluster reads the Cluster named by `cluster`.
func readTargetCluster(ctx context.Context, c *kube.Client, t agentTarget) (*fleet.Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	cluster, err := clusters.ClusterAPI.Get(ctx, c, t.namespace, t.name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
		diags.AddAttributeError(path.Root("cluster"), "Cluster not found",
			fmt.Sprintf("There is no Fleet Cluster %s. Create it first (fleet_cluster), the agent registers as it.", t))
	case err != nil:
		diags.AddAttributeError(path.Root("cluster"), "Cannot read the Cluster", err.Error())
	}
	return cluster, diags
}

// registration returns the registration values: those of the configured
// token, or of a token the resource creates (and adds to undo).
func (r *agentResource) registration(ctx context.Context, plan *agentModel, t agentTarget, written *undo) (agentRegistration, diag.Diagnostics) {
	var diags diag.Diagnostics
	c := r.Data.Client
	at, namespace, name := path.Root("registration_token"), t.namespace, t.ownedTokenName()
	if !plan.RegistrationToken.IsNull() {
		namespace, name, _ = validate.SplitNamespacedName(plan.RegistrationToken.ValueString())
	} else {
		at = path.Root("registration_token_ttl")
		ttl, _ := time.ParseDuration(plan.RegistrationTokenTTL.ValueString()) // validated
		if err := clusters.CreateOwnedToken(ctx, c, namespace, name, ttl); err != nil {
			diags.AddAttributeError(at, "Cannot create a registration token", err.Error())
			return agentRegistration{}, diags
		}
		written.add(func(ctx context.Context) error { return clusters.DeleteOwnedToken(ctx, c, namespace, name) })
	}
	token, err := clusters.RegistrationTokenAPI.Get(ctx, c, namespace, name)
	if errors.Is(err, framework.ErrNotFound) {
		diags.AddAttributeError(at, "Registration token not found", fmt.Sprintf("There is no ClusterRegistrationToken %s/%s.", namespace, name))
		return agentRegistration{}, diags
	}
	if err != nil {
		diags.AddAttributeError(at, "Cannot read the registration token", err.Error())
		return agentRegistration{}, diags
	}
	if expires, ok := clusters.TokenExpiry(token); ok && expires.Before(time.Now()) {
		diags.AddAttributeError(at, "Registration token expired",
			fmt.Sprintf("ClusterRegistrationToken %s/%s expired at %s.", namespace, name, expires.UTC().Format(time.RFC3339)))
		return agentRegistration{}, diags
	}
	token, d := clusters.AwaitRegistrationValues(ctx, c, nil, token, true)
	if diags.Append(d...); diags.HasError() {
		return agentRegistration{}, diags
	}
	values, err := clusters.RegistrationValues(ctx, c, namespace, token.Status.SecretName)
	if err != nil {
		diags.AddAttributeError(at, "Cannot read the registration values", err.Error())
		return agentRegistration{}, diags
	}
	reg, err := parseRegistration(values)
	if err != nil {
		diags.AddAttributeError(at, "Unusable registration values", fmt.Sprintf("ClusterRegistrationToken %s/%s: %s", namespace, name, err))
	}
	return reg, diags
}

// checkedInSince reports whether the Cluster's agent checked in after
// since: an agent installed before (a rebuilt downstream cluster, a
// replaced fleet_agent) left its last check-in on the Cluster, which says
// nothing about this installation. Zero since (a state from before the
// provider kept it) accepts any check-in.
func checkedInSince(c *fleet.Cluster, since time.Time) bool {
	if c.Status == nil || c.Status.Agent.LastSeen == nil {
		return false
	}
	return since.IsZero() || c.Status.Agent.LastSeen.After(since)
}

// awaitRegistration waits until the agent installed at since has checked in
// with Fleet. On timeout the error says what the agent pods downstream
// report, if any.
func awaitRegistration(ctx context.Context, upstream *kube.Client, down *downstream.Cluster, t agentTarget, since time.Time) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := clusters.ClusterAPI.Get(ctx, upstream, t.namespace, t.name)
		if err != nil {
			return false, err
		}
		return checkedInSince(cluster, since), nil
	})
	if err == nil {
		return true, diags
	}
	detail := err.Error()
	if ctx.Err() != nil {
		detail = "The fleet-agent chart is installed, but the agent did not check in before the create timeout."
		probe, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if problem := agentPodProblems(probe, down); problem != "" {
			detail += " Downstream, the " + problem + "."
		} else {
			detail += " Check the agent's log downstream: kubectl -n " + agentNamespace + " logs deploy/fleet-agent."
		}
	}
	diags.AddError(fmt.Sprintf("Cluster %s has not registered", t), detail)
	return false, diags
}

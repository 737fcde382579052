package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"helm.sh/helm/v3/pkg/release"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
)

// Helm uninstall removes the chart's objects, not what the agent wrote
// next to them in its namespace: the Secret fleet-agent, a kubeconfig with
// a ServiceAccount token of the management cluster that the agent writes
// once it registered (Fleet's internal/cmd/agent/register), and the chart's
// fleet-agent-bootstrap (the registration token) if registration never
// finished. Both are live credentials while the Cluster exists, so destroy
// and a failed create delete them. The namespace goes too when the provider
// created it, which it marks with the managed-by label; it takes Fleet's
// own agent release (fleet-agent-<cluster>, the adopted agent) with it.
var agentCredentialSecrets = []string{"fleet-agent", "fleet-agent-bootstrap"}

// ensureAgentNamespace creates the agent's namespace, marked as the
// provider's, unless it exists; it reports whether it created it.
func ensureAgentNamespace(ctx context.Context, d *downstream.Cluster) (bool, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: agentNamespace,
		Labels: map[string]string{framework.ManagedByLabel: framework.ManagedByValue}}}
	_, err := d.Core().CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsAlreadyExists(err):
		return false, nil
	}
	return false, fmt.Errorf("create namespace %s at %s: %w", agentNamespace, d.Host(), err)
}

// removeAgentLeftovers deletes the agent's credential Secrets downstream and
// the agent's namespace if the provider created it, and waits until that is
// gone (an agent installed right after, as in a replacement, needs it gone).
func removeAgentLeftovers(ctx context.Context, d *downstream.Cluster) error {
	secrets := d.Core().CoreV1().Secrets(agentNamespace)
	for _, name := range agentCredentialSecrets {
		if err := secrets.Delete(ctx, name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("delete Secret %s/%s at %s: %w", agentNamespace, name, d.Host(), err)
		}
	}
	namespaces := d.Core().CoreV1().Namespaces()
	ns, err := namespaces.Get(ctx, agentNamespace, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read namespace %s at %s: %w", agentNamespace, d.Host(), err)
	}
	if ns.Labels[framework.ManagedByLabel] != framework.ManagedByValue {
		return nil // someone else's: the chart's objects are gone, the rest is theirs
	}
	if err := namespaces.Delete(ctx, agentNamespace, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &ns.UID}}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete namespace %s at %s: %w", agentNamespace, d.Host(), err)
	}
	// Gone, or created again by someone else (a new UID): not ours to wait for.
	err = framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		now, err := namespaces.Get(ctx, agentNamespace, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		return err == nil && now.UID != ns.UID, err
	})
	if err != nil {
		return fmt.Errorf("namespace %s at %s is not gone (%w); a finalizer may hold it: kubectl get namespace %[1]s -o yaml", agentNamespace, d.Host(), err)
	}
	return nil
}

// releaseClusterFields gives up what fleet_agent applied to the Cluster
// (agentEnvVars with the proxy, agentPullSecrets naming a Secret that is
// gone). It keeps the client ID it owns: the Cluster's identity, which
// fleet_cluster reports as client_id, and, as the kube-system UID, the one
// the next installation into that cluster uses anyway. Keeping it also
// keeps spec non-empty: an apply that left no field of spec to anyone
// would make it null, which the Cluster CRD refuses. A Cluster that is gone
// has nothing to give up (and an apply would create it again).
func releaseClusterFields(ctx context.Context, c *kube.Client, t agentTarget) error {
	cluster, err := clusters.ClusterAPI.Get(ctx, c, t.namespace, t.name)
	if errors.Is(err, framework.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var spec agentClusterSpec
	if agentspec.OwnsSpecField(cluster.ObjectMeta, agentFieldManager, "clientID") {
		spec.ClientID = cluster.Spec.ClientID
	}
	return applyAgentClusterFields(ctx, c, t.namespace, t.name, spec)
}

// installedAtKey is the private state key of when the release was
// installed (RFC 3339), which registration is judged against.
const installedAtKey = "installed_at"

// installedAt is when Helm stored the release, by the clock of the
// downstream API server, which the agent's check-ins (status.agent.lastSeen,
// whole seconds) also use: the creation time of the release's storage
// Secret. before, the local time taken before installing, stands in when
// that Secret cannot be read.
func installedAt(ctx context.Context, d *downstream.Cluster, rel *release.Release, before time.Time) time.Time {
	name := "sh.helm.release.v1." + rel.Name + ".v" + strconv.Itoa(rel.Version)
	s, err := d.Core().CoreV1().Secrets(agentNamespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return before.Truncate(time.Second)
	}
	return s.CreationTimestamp.Time
}

// privateGetter and privateSetter are the private state of requests and
// responses.
type (
	privateGetter interface {
		GetKey(context.Context, string) ([]byte, diag.Diagnostics)
	}
	privateSetter interface {
		SetKey(context.Context, string, []byte) diag.Diagnostics
	}
)

// keepInstalledAt records t in private state (JSON, as private state is).
func keepInstalledAt(ctx context.Context, private privateSetter, t time.Time) diag.Diagnostics {
	data, _ := json.Marshal(t.UTC().Format(time.RFC3339)) // a string always marshals
	return private.SetKey(ctx, installedAtKey, data)
}

// storedInstalledAt returns the time keepInstalledAt recorded; zero when
// there is none (a state from before it was kept).
func storedInstalledAt(ctx context.Context, private privateGetter) time.Time {
	data, _ := private.GetKey(ctx, installedAtKey)
	var s string
	if json.Unmarshal(data, &s) != nil {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

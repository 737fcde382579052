package agent

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
)

// Once the agent registered, Fleet adopts it: it deploys its own bundle
// fleet-agent-<cluster>, a Helm release of its own with takeOwnership, which
// renders the same objects from the Cluster spec and Fleet's configuration
// (manageagent.go). From then on the chart release this resource installed
// is only a record: an upgrade of it re-renders the Deployment from the
// chart (the chart's image and values, and the registration Secret
// fleet-agent-bootstrap again), and Fleet's release takes it back moments
// later; each restarts the agent, and what one sets and the other does not
// mention stays behind. So after adoption fleet_agent never upgrades the
// release: the proxy and pull secret reach the agent through the Cluster,
// a change of what only the chart carries is refused, and a change of the
// release out of band is no drift of this resource.

// helmReleaseAnnotation names the Helm release an object belongs to.
const helmReleaseAnnotation = "meta.helm.sh/release-name"

// adoptingRelease returns the Helm release that owns the agent Deployment
// when it is not this resource's (Fleet's fleet-agent-<cluster>), or "".
func adoptingRelease(ctx context.Context, d *downstream.Cluster) (string, error) {
	dep, err := d.Core().AppsV1().Deployments(agentNamespace).Get(ctx, agentReleaseName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read Deployment %s/%s at %s: %w", agentNamespace, agentReleaseName, d.Host(), err)
	}
	if owner := dep.Annotations[helmReleaseAnnotation]; owner != "" && owner != agentReleaseName {
		return owner, nil
	}
	return "", nil
}

// chartChanges names the attributes that only reach the agent through the
// chart and differ between state and plan.
func chartChanges(state, plan *agentModel) []string {
	var changed []string
	stateValues, err1 := helmchart.ParseValues(state.Values.ValueString())
	planValues, err2 := helmchart.ParseValues(plan.Values.ValueString())
	if err1 != nil || err2 != nil || !helmchart.SameValues(stateValues, planValues) {
		changed = append(changed, "values")
	}
	if (state.Chart == nil) != (plan.Chart == nil) || (plan.Chart != nil && (!state.Chart.Repository.Equal(plan.Chart.Repository) ||
		!state.Chart.ChartName.Equal(plan.Chart.ChartName) || !state.Chart.Version.Equal(plan.Chart.Version) || !state.Chart.Path.Equal(plan.Chart.Path))) {
		changed = append(changed, "chart")
	}
	for _, a := range []struct {
		name        string
		state, plan types.String
	}{
		{"api_server_url", state.APIServerURL, plan.APIServerURL},
		{"api_server_ca", state.APIServerCA, plan.APIServerCA},
		{"agent_tls_mode", state.AgentTLSMode, plan.AgentTLSMode},
		{"system_default_registry", state.SystemDefaultRegistry, plan.SystemDefaultRegistry},
	} {
		if a.state.ValueString() != a.plan.ValueString() {
			changed = append(changed, a.name)
		}
	}
	return changed
}

// adoptedError refuses chart changes after adoption, and says what to do.
func adoptedError(release string, changed []string) error {
	return fmt.Errorf("Fleet has adopted the agent: its own release %s renders it from the Cluster (fleet_cluster's agent "+
		"attributes) and from Fleet's configuration, so %s no longer reach it, and upgrading the chart would only fight "+
		"Fleet's release (each restarts the agent). Change the agent through fleet_cluster (agent_proxy and image_pull_secret "+
		"still work here, through the Cluster); to install it again with other chart settings, replace this resource: "+
		"terraform apply -replace=<address>", release, strings.Join(changed, ", "))
}

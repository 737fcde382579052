package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"helm.sh/helm/v3/pkg/release"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/clusters"
)

// importedKubernetes is the connection after an import: only what the
// provider's kubeconfig Secret tells.
func importedKubernetes(ctx context.Context, c *kube.Client, t agentTarget) (*downstream.KubernetesModel, error) {
	store := t.kubeconfigStore()
	_, version, err := store.Load(ctx, c, "")
	if errors.Is(err, framework.ErrNotFound) {
		return nil, fmt.Errorf("fleet_agent can only be imported when the provider keeps its downstream kubeconfig, i.e. it was "+
			"installed with kubernetes.kubeconfig_wo: there is no Secret %s/%s", store.Namespace, store.Name)
	}
	if err != nil {
		return nil, err
	}
	return &downstream.KubernetesModel{
		ResourceModel: connection.ResourceModel{Model: connection.Model{
			ConfigPaths: types.ListNull(types.StringType),
			Exec:        types.ObjectNull(connection.ExecAttrTypes()),
		}},
		KubeconfigWOVersion: types.Int64Value(version),
	}, nil
}

// releaseMatches reports whether the release holds the chart version and
// the values this state installed (the token's values aside).
func (m *agentModel) releaseMatches(rel *release.Release) bool {
	if rel.Chart == nil || rel.Chart.Metadata == nil || rel.Chart.Metadata.Version != m.ChartVersion.ValueString() {
		return false
	}
	managed, err := m.managedValues()
	return err == nil && helmchart.SameValues(helmchart.WithoutPaths(rel.Config, registrationValuePaths), managed)
}

// flattenImported fills what an import can read back: from the release
// and the Cluster. The chart's source is not recorded anywhere; the import
// keeps the chart's name and version.
func (m *agentModel) flattenImported(ctx context.Context, upstream *kube.Client, rel *release.Release) diag.Diagnostics {
	var diags diag.Diagnostics
	t := m.target()
	m.ID = types.StringValue(t.String())
	config := rel.Config
	str := func(key string) types.String {
		s, _ := config[key].(string)
		return flex.StringOrNull(s)
	}
	m.ClientID = str(valueClientID)
	m.APIServerURL, m.APIServerCA = str(valueAPIServerURL), str(valueAPIServerCA)
	m.AgentTLSMode = str(valueAgentTLSMode)
	m.SystemDefaultRegistry = types.StringNull()
	if v, ok := helmchart.LookupNested(config, systemDefaultRegistryPath); ok {
		s, _ := v.(string)
		m.SystemDefaultRegistry = flex.StringOrNull(s)
	}
	m.Values = types.StringNull()
	if user := userValues(config); len(user) > 0 {
		data, err := yaml.Marshal(user)
		if err != nil {
			diags.AddError("Cannot read the release values", err.Error())
		}
		m.Values = types.StringValue(string(data))
	}
	name := agentReleaseName
	if rel.Chart != nil && rel.Chart.Metadata != nil {
		name = rel.Chart.Metadata.Name
	}
	m.Chart = &agentChartModel{ChartSourceModel: agentspec.ImportedChartSource(helmchart.ChartVersion(rel)), ChartName: types.StringValue(name)}
	m.RegistrationToken, m.RegistrationTokenTTL = types.StringNull(), types.StringValue("1h")
	// The Cluster has the proxy exactly (the chart has one URL for both).
	m.AgentProxy = nil
	if cluster, err := clusters.ClusterAPI.Get(ctx, upstream, t.namespace, t.name); err == nil && config[valueProxy] != nil {
		_, m.AgentProxy = agentspec.SplitAgentEnv(cluster.Spec.AgentEnvVars, true)
	}
	return diags
}

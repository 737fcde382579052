package agent

import (
	"helm.sh/helm/v3/pkg/chart"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
)

// loadAgentChart fetches and loads the chart the model names, with
// password (chart.password_wo, from the configuration).
func loadAgentChart(m *agentChartModel, password string) (*chart.Chart, error) {
	return helmchart.Load(helmchart.Source{
		Repository: m.Repository.ValueString(), Chart: m.ChartName.ValueString(), Version: m.Version.ValueString(),
		Path: m.Path.ValueString(), CABundle: m.CABundle.ValueString(), Username: m.Username.ValueString(),
		Password: password, InsecureSkipTLSVerify: m.InsecureSkipTLSVerify.ValueBool(),
	})
}

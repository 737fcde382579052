package agent

import (
	"helm.sh/helm/v3/pkg/chart"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
)

// loadAgentChart fetches and loads the chart the model names, with
// password (chart.password_wo, from the configuration).
func loadAgentChart(m *agentChartModel, password string) (*chart.Chart, error) {
	return helmchart.Load(m.Source(m.ChartName.ValueString(), m.Path.ValueString(), password))
}

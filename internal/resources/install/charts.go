package install

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"

	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

// Fleet's two charts, installed as releases of the same names (as Fleet's
// documentation does), CRDs first.
const (
	crdRelease   = "fleet-crd"
	fleetRelease = "fleet"

	defaultNamespace = "cattle-fleet-system"
	// maxHistory bounds the release revisions Helm keeps.
	maxHistory = 5
	// managedByLabel marks the provider's releases: a destroy that keeps
	// the CRDs keeps the fleet-crd release, which a later create takes up.
	managedByLabel = "app.kubernetes.io/managed-by"
	managedBy      = "terraform-provider-fleet"
)

// fleetCharts are the two charts of one Fleet release.
type fleetCharts struct{ crds, fleet *chart.Chart }

// loadCharts loads both charts from the chart block, with password
// (chart.password_wo, from the configuration). They must be of the same
// version: the CRDs are the controllers' API.
func loadCharts(m *agentspec.ChartSourceModel, password string) (fleetCharts, error) {
	load := func(name string) (*chart.Chart, error) {
		var local string
		if p := m.Path.ValueString(); p != "" {
			local = filepath.Join(p, name)
		}
		return helmchart.Load(m.Source(name, local, password))
	}
	crds, err := load(crdRelease)
	if err != nil {
		return fleetCharts{}, err
	}
	fleet, err := load(fleetRelease)
	if err != nil {
		return fleetCharts{}, err
	}
	if crds.Metadata.Version != fleet.Metadata.Version {
		return fleetCharts{}, fmt.Errorf("the fleet-crd chart has version %s and the fleet chart %s: they must be of the same Fleet release",
			crds.Metadata.Version, fleet.Metadata.Version)
	}
	return fleetCharts{crds: crds, fleet: fleet}, nil
}

// checkDowngrade refuses a chart older than the installed one.
func checkDowngrade(installed, next string) error {
	from, err1 := semver.NewVersion(installed)
	to, err2 := semver.NewVersion(next)
	if err1 != nil || err2 != nil || !to.LessThan(from) {
		return nil
	}
	return fmt.Errorf("the installed fleet chart is %s and the configured one %s, older: Fleet does not support downgrades "+
		"(the newer CRDs stay, and objects may hold fields the older controllers drop). Set allow_downgrade = true to do it anyway",
		installed, next)
}

// installOrUpgrade installs the release, or upgrades it when it exists.
// Helm waits for the chart's hooks until ctx ends; the resource waits for
// the rest itself (Helm's wait knows no controller errors).
func installOrUpgrade(ctx context.Context, cfg *action.Configuration, name, namespace string, ch *chart.Chart, vals map[string]any) (*release.Release, error) {
	var timeout time.Duration
	if deadline, ok := ctx.Deadline(); ok {
		timeout = time.Until(deadline)
	}
	labels := map[string]string{managedByLabel: managedBy}
	current, err := helmchart.Last(cfg, name, namespace)
	switch {
	case errors.Is(err, helmchart.ErrReleaseNotFound) || (err == nil && helmchart.Status(current) == release.StatusUninstalled):
		install := action.NewInstall(cfg)
		install.ReleaseName, install.Namespace, install.CreateNamespace = name, namespace, true
		install.Timeout, install.Labels = timeout, labels
		rel, err := install.RunWithContext(ctx, ch, vals)
		if err != nil {
			return rel, fmt.Errorf("helm install %s into %s: %w", name, namespace, err)
		}
		return rel, nil
	case err != nil:
		return nil, err
	case helmchart.Status(current).IsPending():
		return nil, helmchart.PendingError(current, name, namespace)
	}
	upgrade := action.NewUpgrade(cfg)
	upgrade.Namespace, upgrade.MaxHistory, upgrade.Timeout, upgrade.Labels = namespace, maxHistory, timeout, labels
	rel, err := upgrade.RunWithContext(ctx, name, ch, vals)
	if err != nil {
		return rel, fmt.Errorf("helm upgrade %s in %s: %w", name, namespace, err)
	}
	return rel, nil
}

// releaseIsOurs reports whether the provider installed rel.
func releaseIsOurs(rel *release.Release) bool {
	return rel != nil && rel.Labels[managedByLabel] == managedBy
}

// needsUpgrade reports whether rel differs from what ch and vals install.
func needsUpgrade(rel *release.Release, ch *chart.Chart, vals map[string]any) bool {
	return helmchart.Status(rel) != release.StatusDeployed || helmchart.ChartVersion(rel) != ch.Metadata.Version ||
		!helmchart.SameValues(rel.Config, vals)
}

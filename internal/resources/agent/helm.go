package agent

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
)

// The fleet-agent chart refuses any other release name or namespace
// (templates/validate.yaml), and Fleet looks for its agent there.
const (
	agentReleaseName = "fleet-agent"
	agentNamespace   = "cattle-fleet-system"
	// agentMaxHistory bounds the release revisions Helm keeps downstream.
	agentMaxHistory = 5
)

// newHelm returns Helm's action configuration for the agent's namespace.
func newHelm(rc *rest.Config) (*action.Configuration, error) {
	return helmchart.NewConfiguration(rc, agentNamespace)
}

// lastRelease returns the latest revision of the agent release, or
// ErrNotFound.
func lastRelease(cfg *action.Configuration) (*release.Release, error) {
	rel, err := helmchart.Last(cfg, agentReleaseName, agentNamespace)
	if errors.Is(err, helmchart.ErrReleaseNotFound) {
		return nil, framework.ErrNotFound
	}
	return rel, err
}

func installAgent(ctx context.Context, cfg *action.Configuration, ch *chart.Chart, vals map[string]any, pullSecret bool) (*release.Release, error) {
	install := action.NewInstall(cfg)
	install.ReleaseName, install.Namespace, install.CreateNamespace = agentReleaseName, agentNamespace, true
	if pullSecret {
		install.PostRenderer = pullSecretRenderer{}
	}
	rel, err := install.RunWithContext(ctx, ch, vals)
	if err != nil {
		return rel, fmt.Errorf("helm install %s into %s: %w", agentReleaseName, agentNamespace, err)
	}
	return rel, nil
}

func upgradeAgent(ctx context.Context, cfg *action.Configuration, ch *chart.Chart, vals map[string]any, pullSecret bool) (*release.Release, error) {
	upgrade := action.NewUpgrade(cfg)
	upgrade.Namespace, upgrade.MaxHistory = agentNamespace, agentMaxHistory
	if pullSecret {
		upgrade.PostRenderer = pullSecretRenderer{}
	}
	rel, err := upgrade.RunWithContext(ctx, agentReleaseName, ch, vals)
	if err != nil {
		return rel, fmt.Errorf("helm upgrade %s in %s: %w", agentReleaseName, agentNamespace, err)
	}
	return rel, nil
}

// pullSecretRenderer adds the image pull Secret to the agent Deployment:
// the chart has no value for it.
type pullSecretRenderer struct{}

func (pullSecretRenderer) Run(in *bytes.Buffer) (*bytes.Buffer, error) {
	reader := k8syaml.NewYAMLReader(bufio.NewReader(in))
	out := new(bytes.Buffer)
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, err
		}
		u := unstructured.Unstructured{Object: obj}
		if obj != nil && u.GetKind() == "Deployment" && u.GetName() == agentReleaseName {
			secrets := []any{map[string]any{"name": agentPullSecretName}}
			if err := unstructured.SetNestedSlice(obj, secrets, "spec", "template", "spec", "imagePullSecrets"); err != nil {
				return nil, err
			}
			if doc, err = yaml.Marshal(obj); err != nil {
				return nil, err
			}
		}
		out.WriteString("---\n")
		out.Write(doc)
	}
}

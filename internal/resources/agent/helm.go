package agent

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// The fleet-agent chart refuses any other release name or namespace
// (templates/validate.yaml), and Fleet looks for its agent there.
const (
	agentReleaseName = "fleet-agent"
	agentNamespace   = "cattle-fleet-system"
	// agentMaxHistory bounds the release revisions Helm keeps downstream.
	agentMaxHistory = 5
)

// helmRESTGetter hands Helm the downstream REST configuration; Helm wants a
// kubectl-style RESTClientGetter rather than a rest.Config.
type helmRESTGetter struct {
	rc *rest.Config

	once      sync.Once
	discovery discovery.CachedDiscoveryInterface
	err       error
}

func (g *helmRESTGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.rc), nil }

func (g *helmRESTGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	g.once.Do(func() {
		dc, err := discovery.NewDiscoveryClientForConfig(rest.CopyConfig(g.rc))
		g.discovery, g.err = memory.NewMemCacheClient(dc), err
	})
	return g.discovery, g.err
}

func (g *helmRESTGetter) ToRESTMapper() (meta.RESTMapper, error) {
	dc, err := g.ToDiscoveryClient()
	if err != nil {
		return nil, err
	}
	return restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(dc), dc, func(string) {}), nil
}

// ToRawKubeConfigLoader only serves the default namespace: the REST
// configuration comes from ToRESTConfig.
func (g *helmRESTGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return clientcmd.NewDefaultClientConfig(*clientcmdapi.NewConfig(),
		&clientcmd.ConfigOverrides{Context: clientcmdapi.Context{Namespace: agentNamespace}})
}

// newHelm returns Helm's action configuration for the agent's namespace,
// with releases stored as Secrets (Helm's default). Helm's debug log is
// dropped: it may print rendered values, which hold the token.
func newHelm(rc *rest.Config) (*action.Configuration, error) {
	cfg := new(action.Configuration)
	if err := cfg.Init(&helmRESTGetter{rc: rc}, agentNamespace, "secret", func(string, ...any) {}); err != nil {
		return nil, fmt.Errorf("set up Helm: %w", err)
	}
	return cfg, nil
}

// lastRelease returns the latest revision of the agent release, or
// ErrNotFound.
func lastRelease(cfg *action.Configuration) (*release.Release, error) {
	rel, err := cfg.Releases.Last(agentReleaseName)
	if errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, framework.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read Helm release %s/%s: %w", agentNamespace, agentReleaseName, err)
	}
	return rel, nil
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

// uninstallAgent removes the release; a release that is gone is fine.
// Helm's uninstall takes no context, so it runs aside and is waited for
// only until ctx ends (its hooks are bounded by the time left); it may still
// finish after that, and a later destroy finds the release gone.
func uninstallAgent(ctx context.Context, cfg *action.Configuration) error {
	uninstall := action.NewUninstall(cfg)
	uninstall.IgnoreNotFound = true
	if deadline, ok := ctx.Deadline(); ok {
		uninstall.Timeout = time.Until(deadline)
	}
	done := make(chan error, 1)
	go func() {
		_, err := uninstall.Run(agentReleaseName)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, driver.ErrReleaseNotFound) {
			return fmt.Errorf("helm uninstall %s from %s: %w", agentReleaseName, agentNamespace, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("helm uninstall %s from %s did not finish in time (%w); it may still complete: check with "+
			"helm -n %[2]s status %[1]s, and run the destroy again", agentReleaseName, agentNamespace, ctx.Err())
	}
}

// releaseStatus and releaseChartVersion read a release record that may lack
// parts (a hand-edited or truncated storage Secret): never a panic.
func releaseStatus(rel *release.Release) release.Status {
	if rel == nil || rel.Info == nil {
		return release.StatusUnknown
	}
	return rel.Info.Status
}

func releaseChartVersion(rel *release.Release) string {
	if rel == nil || rel.Chart == nil || rel.Chart.Metadata == nil {
		return ""
	}
	return rel.Chart.Metadata.Version
}

// pendingError explains a release that an interrupted Helm operation (say,
// Terraform killed during an apply) left pending: Helm refuses any other
// operation on it until someone resolves it.
func pendingError(rel *release.Release) error {
	return fmt.Errorf("the %s release in %s is %s: a Helm operation on it was interrupted, and Helm refuses another until "+
		"it is resolved. Roll it back to its last deployed revision (helm -n %[2]s rollback %[1]s), or, if it never "+
		"deployed, uninstall it (helm -n %[2]s uninstall %[1]s) and refresh; then apply again",
		agentReleaseName, agentNamespace, releaseStatus(rel))
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

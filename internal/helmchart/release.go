package helmchart

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/storage/driver"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ErrReleaseNotFound is returned by Last when there is no such release.
var ErrReleaseNotFound = driver.ErrReleaseNotFound

// restGetter hands Helm a REST configuration; Helm wants a kubectl-style
// RESTClientGetter rather than a rest.Config.
type restGetter struct {
	rc        *rest.Config
	namespace string

	once      sync.Once
	discovery discovery.CachedDiscoveryInterface
	err       error
}

func (g *restGetter) ToRESTConfig() (*rest.Config, error) { return rest.CopyConfig(g.rc), nil }

func (g *restGetter) ToDiscoveryClient() (discovery.CachedDiscoveryInterface, error) {
	g.once.Do(func() {
		dc, err := discovery.NewDiscoveryClientForConfig(rest.CopyConfig(g.rc))
		g.discovery, g.err = memory.NewMemCacheClient(dc), err
	})
	return g.discovery, g.err
}

func (g *restGetter) ToRESTMapper() (meta.RESTMapper, error) {
	dc, err := g.ToDiscoveryClient()
	if err != nil {
		return nil, err
	}
	return restmapper.NewShortcutExpander(restmapper.NewDeferredDiscoveryRESTMapper(dc), dc, func(string) {}), nil
}

// ToRawKubeConfigLoader only serves the default namespace: the REST
// configuration comes from ToRESTConfig.
func (g *restGetter) ToRawKubeConfigLoader() clientcmd.ClientConfig {
	return clientcmd.NewDefaultClientConfig(*clientcmdapi.NewConfig(),
		&clientcmd.ConfigOverrides{Context: clientcmdapi.Context{Namespace: g.namespace}})
}

// NewConfiguration returns Helm's action configuration for namespace, with
// releases stored as Secrets (Helm's default). Helm's debug log is dropped:
// it may print rendered values, which may hold credentials.
func NewConfiguration(rc *rest.Config, namespace string) (*action.Configuration, error) {
	cfg := new(action.Configuration)
	if err := cfg.Init(&restGetter{rc: rc, namespace: namespace}, namespace, "secret", func(string, ...any) {}); err != nil {
		return nil, fmt.Errorf("set up Helm: %w", err)
	}
	return cfg, nil
}

// Last returns the latest revision of the release name, or an error that
// is ErrReleaseNotFound.
func Last(cfg *action.Configuration, name, namespace string) (*release.Release, error) {
	rel, err := cfg.Releases.Last(name)
	if err != nil && !errors.Is(err, driver.ErrReleaseNotFound) {
		return nil, fmt.Errorf("read Helm release %s/%s: %w", namespace, name, err)
	}
	return rel, err
}

// Uninstall removes the release; a release that is gone is fine. Helm's
// uninstall takes no context, so it runs aside and is waited for only until
// ctx ends (its hooks are bounded by the time left); it may still finish
// after that, and a later destroy finds the release gone.
func Uninstall(ctx context.Context, cfg *action.Configuration, name, namespace string) error {
	uninstall := action.NewUninstall(cfg)
	uninstall.IgnoreNotFound = true
	if deadline, ok := ctx.Deadline(); ok {
		uninstall.Timeout = time.Until(deadline)
	}
	done := make(chan error, 1)
	go func() {
		_, err := uninstall.Run(name)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, driver.ErrReleaseNotFound) {
			return fmt.Errorf("helm uninstall %s from %s: %w", name, namespace, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("helm uninstall %s from %s did not finish in time (%w); it may still complete: check with "+
			"helm -n %[2]s status %[1]s, and run the destroy again", name, namespace, ctx.Err())
	}
}

// Status and ChartVersion read a release record that may lack parts (a
// hand-edited or truncated storage Secret): never a panic.
func Status(rel *release.Release) release.Status {
	if rel == nil || rel.Info == nil {
		return release.StatusUnknown
	}
	return rel.Info.Status
}

func ChartVersion(rel *release.Release) string {
	if rel == nil || rel.Chart == nil || rel.Chart.Metadata == nil {
		return ""
	}
	return rel.Chart.Metadata.Version
}

// PendingError explains a release that an interrupted Helm operation (say,
// Terraform killed during an apply) left pending: Helm refuses any other
// operation on it until someone resolves it.
func PendingError(rel *release.Release, name, namespace string) error {
	return fmt.Errorf("the %s release in %s is %s: a Helm operation on it was interrupted, and Helm refuses another until "+
		"it is resolved. Roll it back to its last deployed revision (helm -n %[2]s rollback %[1]s), or, if it never "+
		"deployed, uninstall it (helm -n %[2]s uninstall %[1]s) and refresh; then apply again",
		name, namespace, Status(rel))
}

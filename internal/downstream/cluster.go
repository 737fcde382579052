// Package downstream is everything the provider does in a downstream
// cluster, for any resource that installs something there (fleet_agent,
// fleet_rancher_agent): the `kubernetes` connection attribute, connecting
// with a reachability check, the upstream store of kubeconfig_wo, and
// server-side apply of a manifest with drift detection.
package downstream

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Cluster is a connection to a downstream cluster that answered with these
// credentials.
type Cluster struct {
	client  *kube.Client
	rest    *rest.Config
	core    kubernetes.Interface
	dynamic dynamic.Interface

	mapperOnce sync.Once
	mapper     meta.RESTMapper
	mapperErr  error
}

// Bounds that make an unreachable or firewalled endpoint fail in seconds,
// not at the end of the create timeout.
const (
	checkTimeout = 20 * time.Second
	// discoveryTimeout bounds discovery, which takes no context.
	discoveryTimeout = 30 * time.Second
)

// Connect builds the client from the connection attributes, with kubeconfig
// as kubeconfig_wo (from the configuration, or from the KubeconfigStore), and
// checks that the cluster answers and accepts the credentials, so that
// nothing is installed or written when it does not. Errors name the endpoint
// and the attribute.
func Connect(ctx context.Context, m *KubernetesModel, kubeconfig string) (*Cluster, diag.Diagnostics) {
	c, diags := Open(ctx, m, kubeconfig)
	if diags.HasError() {
		return nil, diags
	}
	if err := c.Check(ctx); err != nil {
		diags.AddAttributeError(KubernetesPath, "Cannot reach the downstream cluster", err.Error())
		return nil, diags
	}
	return c, diags
}

// Open builds the client like Connect, without contacting the cluster.
func Open(ctx context.Context, m *KubernetesModel, kubeconfig string) (*Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	if m == nil {
		diags.AddAttributeError(KubernetesPath, "Missing downstream connection", "Set kubernetes to reach the downstream cluster.")
		return nil, diags
	}
	conn := m.ResourceModel
	conn.KubeconfigWO = types.StringNull()
	if kubeconfig != "" {
		conn.KubeconfigWO = types.StringValue(kubeconfig)
	}
	cfg, d, unknown := conn.Config(ctx, KubernetesPath)
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	if unknown {
		diags.AddAttributeError(KubernetesPath, "Unknown downstream connection", "The connection settings are not known yet.")
		return nil, diags
	}
	client := kube.NewClient(cfg)
	c := &Cluster{client: client}
	var err error
	if c.rest, err = client.RESTConfig(); err == nil {
		if c.core, err = client.Core(); err == nil {
			c.dynamic, err = client.Dynamic()
		}
	}
	if err != nil {
		diags.Append(connection.Diagnostic(KubernetesPath, "Invalid downstream connection", err))
		return nil, diags
	}
	return c, diags
}

// Host is the API server's address, for messages.
func (c *Cluster) Host() string { return c.rest.Host }

// RESTConfig is the connection's configuration, for clients of other kinds
// (Helm), with the API server's warnings recorded for the operation of ctx
// (see framework.CollectAPIWarnings) even by clients that make their
// requests without it.
func (c *Cluster) RESTConfig(ctx context.Context) *rest.Config {
	return kube.WithWarningsOf(ctx, c.rest)
}

// Core is the typed client.
func (c *Cluster) Core() kubernetes.Interface { return c.core }

// Client is the connection as the provider's client type, for writing
// owned Secrets downstream.
func (c *Cluster) Client() *kube.Client { return c.client }

// Check reports an error when the cluster does not answer or rejects the
// credentials.
func (c *Cluster) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	_, err := c.core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	switch {
	case err == nil:
		return nil
	case apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err):
		return fmt.Errorf("the API server at %s rejected the credentials: %s", c.Host(), apierrors.ReasonForError(err))
	default:
		return fmt.Errorf("the API server at %s does not answer: %w", c.Host(), err)
	}
}

// KubeSystemUID identifies the cluster: the fleet-agent uses it as its
// client ID when none is configured.
func (c *Cluster) KubeSystemUID(ctx context.Context) (string, error) {
	ns, err := c.core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("read namespace kube-system at %s: %w", c.Host(), err)
	}
	return string(ns.UID), nil
}

// restMapper maps kinds to resources from one discovery, run the first time
// a manifest needs it.
func (c *Cluster) restMapper() (meta.RESTMapper, error) {
	c.mapperOnce.Do(func() {
		rc := rest.CopyConfig(c.rest)
		rc.Timeout = discoveryTimeout
		dc, err := discovery.NewDiscoveryClientForConfig(rc)
		if err != nil {
			c.mapperErr = err
			return
		}
		groups, err := restmapper.GetAPIGroupResources(dc)
		if err != nil {
			c.mapperErr = fmt.Errorf("discover the APIs of the downstream cluster at %s: %w", c.Host(), err)
			return
		}
		c.mapper = restmapper.NewDiscoveryRESTMapper(groups)
	})
	return c.mapper, c.mapperErr
}

package downstream

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Cluster is a connection to the cluster the agent runs in.
type Cluster struct {
	Client *kube.Client
	Core   kubernetes.Interface
	Host   string
}

// Connect builds the downstream client from the connection
// attributes, with kubeconfig as kubeconfig_wo (from the configuration, or
// from the provider's Secret). It checks that the cluster answers and
// accepts the credentials, so that nothing is installed or written when it
// does not; errors name the endpoint.
func Connect(ctx context.Context, m *KubernetesModel, kubeconfig string) (*Cluster, diag.Diagnostics) {
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
	rc, err := client.RESTConfig()
	if err != nil {
		diags.Append(connection.Diagnostic(KubernetesPath, "Invalid downstream connection", err))
		return nil, diags
	}
	core, err := client.Core()
	if err != nil {
		diags.Append(connection.Diagnostic(KubernetesPath, "Invalid downstream connection", err))
		return nil, diags
	}
	d2 := &Cluster{Client: client, Core: core, Host: rc.Host}
	if err := d2.check(ctx); err != nil {
		diags.AddAttributeError(KubernetesPath, "Cannot reach the downstream cluster", err.Error())
		return nil, diags
	}
	return d2, diags
}

// downstreamCheckTimeout bounds the reachability check, so that a
// firewalled endpoint fails in seconds, not at the end of the create timeout.
const downstreamCheckTimeout = 20 * time.Second

func (d *Cluster) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, downstreamCheckTimeout)
	defer cancel()
	_, err := d.Core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	switch {
	case err == nil:
		return nil
	case apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err):
		return fmt.Errorf("the API server at %s rejected the credentials: %s", d.Host, apierrors.ReasonForError(err))
	default:
		return fmt.Errorf("the API server at %s does not answer: %w", d.Host, err)
	}
}

// KubeSystemUID is what the agent uses as its client ID when none is
// configured; the provider generates the same, so a re-created agent
// claims the same Cluster.
func (d *Cluster) KubeSystemUID(ctx context.Context) (string, error) {
	ns, err := d.Core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("read namespace kube-system at %s: %w", d.Host, err)
	}
	return string(ns.UID), nil
}

// downstreamDiscoveryTimeout bounds discovery, which takes no context.
const downstreamDiscoveryTimeout = 30 * time.Second

func ConnectForManifests(cfg kube.Config) (*Manifests, error) {
	client := kube.NewClient(cfg)
	rc, err := client.RESTConfig()
	if err != nil {
		return nil, err
	}
	dyn, err := client.Dynamic()
	if err != nil {
		return nil, err
	}
	// Discovery takes no context: bound it, so that an unreachable cluster
	// fails in seconds rather than at the end of the create timeout.
	rc.Timeout = downstreamDiscoveryTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return nil, err
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		return nil, fmt.Errorf("discover the APIs of the downstream cluster: %w", err)
	}
	return &Manifests{dynamic: dyn, mapper: restmapper.NewDiscoveryRESTMapper(groups)}, nil
}

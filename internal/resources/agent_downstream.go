package resources

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetform/terraform-provider-fleet/internal/connection"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// The provider keeps kubernetes.kubeconfig_wo upstream, next to the Cluster,
// in a Secret of its own: refresh and destroy get no write-only values.
const (
	agentKubeconfigKey        = "value"
	agentKubeconfigVersionKey = "version"
)

func agentKubeconfigSecretName(cluster string) string { return cluster + "-agent-kubeconfig" }

func storeAgentKubeconfig(ctx context.Context, c *kube.Client, namespace, cluster, kubeconfig string, version int64) error {
	return applyOwnedSecret(ctx, c, ownedSecret{
		Namespace: namespace,
		Name:      agentKubeconfigSecretName(cluster),
		Type:      corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			agentKubeconfigKey:        []byte(kubeconfig),
			agentKubeconfigVersionKey: []byte(strconv.FormatInt(version, 10)),
		},
	})
}

// loadAgentKubeconfig returns the stored kubeconfig and its
// kubeconfig_wo_version, or errNotFound.
func loadAgentKubeconfig(ctx context.Context, c *kube.Client, namespace, cluster string) (string, int64, error) {
	data, err := readOwnedSecret(ctx, c, namespace, agentKubeconfigSecretName(cluster))
	if err != nil {
		return "", 0, err
	}
	version, _ := strconv.ParseInt(string(data[agentKubeconfigVersionKey]), 10, 64)
	return string(data[agentKubeconfigKey]), version, nil
}

// agentDownstream is a connection to the cluster the agent runs in.
type agentDownstream struct {
	client *kube.Client
	core   kubernetes.Interface
	host   string
}

// connectAgentDownstream builds the downstream client from the connection
// attributes, with kubeconfig as kubeconfig_wo (from the configuration, or
// from the provider's Secret). It checks that the cluster answers and
// accepts the credentials, so that nothing is installed or written when it
// does not; errors name the endpoint.
func connectAgentDownstream(ctx context.Context, m *downstreamKubernetesModel, kubeconfig string) (*agentDownstream, diag.Diagnostics) {
	var diags diag.Diagnostics
	if m == nil {
		diags.AddAttributeError(kubernetesPath, "Missing downstream connection", "Set kubernetes to reach the downstream cluster.")
		return nil, diags
	}
	conn := m.ResourceModel
	conn.KubeconfigWO = types.StringNull()
	if kubeconfig != "" {
		conn.KubeconfigWO = types.StringValue(kubeconfig)
	}
	cfg, d, unknown := conn.Config(ctx, kubernetesPath)
	if diags.Append(d...); diags.HasError() {
		return nil, diags
	}
	if unknown {
		diags.AddAttributeError(kubernetesPath, "Unknown downstream connection", "The connection settings are not known yet.")
		return nil, diags
	}
	client := kube.NewClient(cfg)
	rc, err := client.RESTConfig()
	if err != nil {
		diags.Append(connection.Diagnostic(kubernetesPath, "Invalid downstream connection", err))
		return nil, diags
	}
	core, err := client.Core()
	if err != nil {
		diags.Append(connection.Diagnostic(kubernetesPath, "Invalid downstream connection", err))
		return nil, diags
	}
	d2 := &agentDownstream{client: client, core: core, host: rc.Host}
	if err := d2.check(ctx); err != nil {
		diags.AddAttributeError(kubernetesPath, "Cannot reach the downstream cluster", err.Error())
		return nil, diags
	}
	return d2, diags
}

// downstreamCheckTimeout bounds the reachability check, so that a
// firewalled endpoint fails in seconds, not at the end of the create timeout.
const downstreamCheckTimeout = 20 * time.Second

func (d *agentDownstream) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, downstreamCheckTimeout)
	defer cancel()
	_, err := d.core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	switch {
	case err == nil:
		return nil
	case apierrors.IsUnauthorized(err) || apierrors.IsForbidden(err):
		return fmt.Errorf("the API server at %s rejected the credentials: %s", d.host, apierrors.ReasonForError(err))
	default:
		return fmt.Errorf("the API server at %s does not answer: %w", d.host, err)
	}
}

// kubeSystemUID is what the agent uses as its client ID when none is
// configured; the provider generates the same, so a re-created agent
// claims the same Cluster.
func (d *agentDownstream) kubeSystemUID(ctx context.Context) (string, error) {
	ns, err := d.core.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("read namespace kube-system at %s: %w", d.host, err)
	}
	return string(ns.UID), nil
}

// writePullSecret creates or updates the image pull Secret downstream,
// creating the agent's namespace first when needed.
func (d *agentDownstream) writePullSecret(ctx context.Context, m *agentPullSecretModel, password string) error {
	_, err := d.core.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: agentNamespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s at %s: %w", agentNamespace, d.host, err)
	}
	server, user := m.Server.ValueString(), m.Username.ValueString()
	config, err := json.Marshal(map[string]any{"auths": map[string]any{server: map[string]string{
		"username": user, "password": password,
		"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
	}}})
	if err != nil {
		return err
	}
	return applyOwnedSecret(ctx, d.client, ownedSecret{
		Namespace: agentNamespace, Name: agentPullSecretName,
		Type: corev1.SecretTypeDockerConfigJson,
		Data: map[string][]byte{corev1.DockerConfigJsonKey: config},
	})
}

func (d *agentDownstream) deletePullSecret(ctx context.Context) error {
	return deleteOwnedSecret(ctx, d.client, agentNamespace, agentPullSecretName)
}

// agentPodProblems describes agent pods that are not running, for the
// error of a registration that does not happen.
func (d *agentDownstream) agentPodProblems(ctx context.Context) string {
	pods, err := d.core.CoreV1().Pods(agentNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app=fleet-agent"})
	if err != nil || len(pods.Items) == 0 {
		return ""
	}
	for _, p := range pods.Items {
		for _, s := range p.Status.ContainerStatuses {
			if w := s.State.Waiting; w != nil && w.Reason != "" {
				return fmt.Sprintf("pod %s/%s is waiting: %s %s", p.Namespace, p.Name, w.Reason, w.Message)
			}
		}
		if p.Status.Phase == corev1.PodPending {
			return fmt.Sprintf("pod %s/%s is pending", p.Namespace, p.Name)
		}
	}
	return ""
}

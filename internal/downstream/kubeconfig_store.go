package downstream

import (
	"context"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// The provider keeps kubernetes.kubeconfig_wo upstream, next to the Cluster,
// in a Secret of its own: refresh and destroy get no write-only values.
const (
	agentKubeconfigKey        = "value"
	agentKubeconfigVersionKey = "version"
)

func AgentKubeconfigSecretName(cluster string) string { return cluster + "-agent-kubeconfig" }

func StoreKubeconfig(ctx context.Context, c *kube.Client, namespace, cluster, kubeconfig string, version int64) error {
	return framework.ApplyOwnedSecret(ctx, c, framework.OwnedSecret{
		Namespace: namespace,
		Name:      AgentKubeconfigSecretName(cluster),
		Type:      corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			agentKubeconfigKey:        []byte(kubeconfig),
			agentKubeconfigVersionKey: []byte(strconv.FormatInt(version, 10)),
		},
	})
}

// LoadKubeconfig returns the stored kubeconfig and its
// kubeconfig_wo_version, or ErrNotFound.
func LoadKubeconfig(ctx context.Context, c *kube.Client, namespace, cluster string) (string, int64, error) {
	data, err := framework.ReadOwnedSecret(ctx, c, namespace, AgentKubeconfigSecretName(cluster))
	if err != nil {
		return "", 0, err
	}
	version, _ := strconv.ParseInt(string(data[agentKubeconfigVersionKey]), 10, 64)
	return string(data[agentKubeconfigKey]), version, nil
}

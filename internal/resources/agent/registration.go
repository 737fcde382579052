package agent

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
)

// agentPodProblems describes agent pods that are not running, for the
// error of a registration that does not happen.
func agentPodProblems(ctx context.Context, d *downstream.Cluster) string {
	pods, err := d.Core.CoreV1().Pods(agentNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app=fleet-agent"})
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

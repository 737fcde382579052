package clusters

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// lostNamespaceHint explains a registration that cannot finish because the
// Cluster's namespace in Fleet (status.namespace) is gone or terminating:
// Fleet grants the agent's registration with a ServiceAccount in it, and
// creates it again only when the Cluster changes. The cleanup controller of
// Fleet v0.12 and v0.15.0 deletes it when it sees the namespace before the
// new Cluster (rancher/fleet#3830). It returns "" when the namespace is there
// or cannot be read (a wait's failure path must not fail for want of a
// permission).
func lostNamespaceHint(ctx context.Context, c *kube.Client, cluster *fleet.Cluster) string {
	if cluster == nil || cluster.Status == nil || cluster.Status.Namespace == "" {
		return ""
	}
	core, err := c.Core()
	if err != nil {
		return ""
	}
	ns, err := core.CoreV1().Namespaces().Get(ctx, cluster.Status.Namespace, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err == nil && ns.DeletionTimestamp != nil:
	default:
		return ""
	}
	return fmt.Sprintf("Fleet's namespace of this cluster, %s, has been deleted, so Fleet cannot grant the agent's registration. "+
		"Fleet's cleanup controller deletes it when it sees the namespace before the new Cluster (rancher/fleet#3830, "+
		"fixed in Fleet v0.16). Once it is gone, Fleet creates it again when the Cluster changes, and grants the "+
		"registration on its next retry: annotate the Cluster (kubectl -n %s annotate --overwrite clusters.fleet.cattle.io %s "+
		"fleet-retry=1), or upgrade Fleet.",
		cluster.Status.Namespace, cluster.Namespace, cluster.Name)
}

package rancher

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
)

// refuseForeignAgent stops a create from taking over a Rancher agent that
// another import (or another Rancher) installed: applying would re-point it.
func refuseForeignAgent(ctx context.Context, down *downstream.Cluster) error {
	ref := downstream.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: importAgentNamespace, Name: importAgentDeployment}
	client, _, err := down.Resource(ref)
	if err != nil {
		return err
	}
	live, err := client.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", ref, err)
	}
	if downstream.OwnFields(live) != nil {
		return nil // applied by this provider before (a re-create after a failed apply)
	}
	return fmt.Errorf("%s exists and was not applied by this provider: the cluster is imported into a Rancher already. "+
		"Remove Rancher's agent from it first (or import this resource).", ref)
}

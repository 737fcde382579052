package agent

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

// writePullSecret creates or updates the image pull Secret downstream,
// creating the agent's namespace first when needed.
func writePullSecret(ctx context.Context, d *downstream.Cluster, owner framework.SecretOwner, m *agentspec.PullSecretModel, password string) error {
	_, err := d.Core().CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: agentNamespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s at %s: %w", agentNamespace, d.Host(), err)
	}
	return framework.ApplyOwnedSecret(ctx, d.Client(), framework.OwnedSecret{
		Owner: owner, Namespace: agentNamespace, Name: agentPullSecretName,
		Type: corev1.SecretTypeDockerConfigJson, Data: m.SecretData(password),
	})
}

func deletePullSecret(ctx context.Context, d *downstream.Cluster, owner framework.SecretOwner) error {
	return framework.DeleteOwnedSecret(ctx, d.Client(), owner, agentNamespace, agentPullSecretName)
}

// updatePullSecret rewrites the pull Secret when its settings or the
// password version change, and deletes it when image_pull_secret goes.
func updatePullSecret(ctx context.Context, down *downstream.Cluster, state, plan *agentModel, password string) diag.Diagnostics {
	var diags diag.Diagnostics
	p, s, owner := plan.ImagePullSecret, state.ImagePullSecret, plan.target().owner()
	switch {
	case p == nil && s != nil:
		if err := deletePullSecret(ctx, down, owner); err != nil {
			diags.AddAttributeError(path.Root("image_pull_secret"), "Cannot delete the image pull Secret", err.Error())
		}
	case p != nil && p.Changed(s):
		if err := writePullSecret(ctx, down, owner, p, password); err != nil {
			diags.AddAttributeError(path.Root("image_pull_secret"), "Cannot write the image pull Secret", err.Error())
		}
	}
	return diags
}

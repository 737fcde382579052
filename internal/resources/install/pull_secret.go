package install

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

// pullSecretName is the image pull Secret fleet_install creates for
// image_pull_secret, next to the controllers.
const pullSecretName = "fleet-image-pull-secret"

func pullSecretOwner(namespace string) framework.SecretOwner {
	return framework.SecretOwner{Type: "fleet_install", ID: namespace}
}

// syncPullSecret writes the image pull Secret before the charts are
// installed (the namespace is created for it when missing), or deletes it
// when image_pull_secret goes. password is the configuration's.
func syncPullSecret(ctx context.Context, c *kube.Client, namespace string, plan, prior *agentspec.PullSecretModel, password string) error {
	owner := pullSecretOwner(namespace)
	switch {
	case plan == nil && prior != nil:
		return framework.DeleteOwnedSecret(ctx, c, owner, namespace, pullSecretName)
	case plan == nil || !plan.Changed(prior):
		return nil
	}
	core, err := c.Core()
	if err != nil {
		return err
	}
	_, err = core.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", namespace, err)
	}
	return framework.ApplyOwnedSecret(ctx, c, framework.OwnedSecret{
		Owner: owner, Namespace: namespace, Name: pullSecretName,
		Type: corev1.SecretTypeDockerConfigJson, Data: plan.SecretData(password),
	})
}

// importedPullSecret reads image_pull_secret back from the provider's
// Secret, for an import: the account, not its password and version.
func importedPullSecret(ctx context.Context, c *kube.Client, namespace string) (*agentspec.PullSecretModel, error) {
	data, err := framework.ReadOwnedSecret(ctx, c, pullSecretOwner(namespace), namespace, pullSecretName)
	if errors.Is(err, framework.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var config struct {
		Auths map[string]struct {
			Username string `json:"username"`
		} `json:"auths"`
	}
	if err := json.Unmarshal(data[corev1.DockerConfigJsonKey], &config); err != nil || len(config.Auths) != 1 {
		return nil, fmt.Errorf("the Secret %s/%s does not hold one registry account", namespace, pullSecretName)
	}
	for server, auth := range config.Auths {
		return &agentspec.PullSecretModel{
			Server: types.StringValue(server), Username: types.StringValue(auth.Username),
			PasswordWO: types.StringNull(), PasswordWOVersion: types.Int64Null(),
		}, nil
	}
	return nil, nil
}

// pullSecretGone reports whether the Secret of image_pull_secret was
// deleted outside Terraform: the plan then writes it again.
func pullSecretGone(ctx context.Context, c *kube.Client, namespace string) (bool, error) {
	_, err := framework.ReadOwnedSecret(ctx, c, pullSecretOwner(namespace), namespace, pullSecretName)
	if errors.Is(err, framework.ErrNotFound) {
		return true, nil
	}
	return false, err
}

package resources

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1apply "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Secrets the provider creates for a resource (credentials, kubeconfigs) carry
// this label, and the provider deletes only Secrets that carry it.
const (
	managedByLabel = "app.kubernetes.io/managed-by"
	managedByValue = "terraform-provider-fleet"
)

// ownedSecret is a Secret the provider writes on behalf of a resource.
type ownedSecret struct {
	Namespace, Name string
	Type            corev1.SecretType
	Data            map[string][]byte
}

// applyOwnedSecret writes the Secret with server-side apply. It refuses to
// take over a Secret of the same name that the provider did not create.
func applyOwnedSecret(ctx context.Context, c *kube.Client, s ownedSecret) error {
	core, err := c.Core()
	if err != nil {
		return err
	}
	existing, err := core.CoreV1().Secrets(s.Namespace).Get(ctx, s.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("read Secret %s/%s: %w", s.Namespace, s.Name, err)
	case existing.Labels[managedByLabel] != managedByValue:
		return fmt.Errorf("Secret %s/%s exists and was not created by this provider; rename or remove it", s.Namespace, s.Name)
	}
	secret := corev1apply.Secret(s.Name, s.Namespace).
		WithLabels(map[string]string{managedByLabel: managedByValue}).
		WithType(s.Type).
		WithData(s.Data)
	if _, err := core.CoreV1().Secrets(s.Namespace).Apply(ctx, secret, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
		// The error names the Secret, never its data.
		return fmt.Errorf("write Secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	return nil
}

// deleteOwnedSecret deletes the Secret if, and only if, the provider created it.
func deleteOwnedSecret(ctx context.Context, c *kube.Client, namespace, name string) error {
	core, err := c.Core()
	if err != nil {
		return err
	}
	existing, err := core.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	}
	if existing.Labels[managedByLabel] != managedByValue {
		return nil
	}
	err = core.CoreV1().Secrets(namespace).Delete(ctx, name, metav1.DeleteOptions{
		Preconditions: &metav1.Preconditions{UID: &existing.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete Secret %s/%s: %w", namespace, name, err)
	}
	return nil
}

// readOwnedSecret returns the data of a Secret the provider wrote, or
// errNotFound when it is missing or someone else's.
func readOwnedSecret(ctx context.Context, c *kube.Client, namespace, name string) (map[string][]byte, error) {
	core, err := c.Core()
	if err != nil {
		return nil, err
	}
	secret, err := core.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, errNotFound
	case err != nil:
		return nil, fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	case secret.Labels[managedByLabel] != managedByValue:
		return nil, errNotFound
	}
	return secret.Data, nil
}

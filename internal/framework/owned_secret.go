package framework

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
	ManagedByLabel = "app.kubernetes.io/managed-by"
	ManagedByValue = "terraform-provider-fleet"
)

// OwnedSecret is a Secret the provider writes on behalf of a resource.
type OwnedSecret struct {
	Namespace, Name string
	Type            corev1.SecretType
	Data            map[string][]byte
}

// ApplyOwnedSecret writes the Secret with server-side apply. It refuses to
// take over a Secret of the same name that the provider did not create.
func ApplyOwnedSecret(ctx context.Context, c *kube.Client, s OwnedSecret) error {
	core, err := c.Core()
	if err != nil {
		return err
	}
	existing, err := core.CoreV1().Secrets(s.Namespace).Get(ctx, s.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
	case err != nil:
		return fmt.Errorf("read Secret %s/%s: %w", s.Namespace, s.Name, err)
	case existing.Labels[ManagedByLabel] != ManagedByValue:
		return fmt.Errorf("Secret %s/%s exists and was not created by this provider; rename or remove it", s.Namespace, s.Name)
	}
	secret := corev1apply.Secret(s.Name, s.Namespace).
		WithLabels(map[string]string{ManagedByLabel: ManagedByValue}).
		WithType(s.Type).
		WithData(s.Data)
	if _, err := core.CoreV1().Secrets(s.Namespace).Apply(ctx, secret, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
		// The error names the Secret, never its data.
		return fmt.Errorf("write Secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	return nil
}

// DeleteOwnedSecret deletes the Secret if, and only if, the provider created it.
func DeleteOwnedSecret(ctx context.Context, c *kube.Client, namespace, name string) error {
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
	if existing.Labels[ManagedByLabel] != ManagedByValue {
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

// ReadOwnedSecret returns the data of a Secret the provider wrote, or
// ErrNotFound when it is missing or someone else's.
func ReadOwnedSecret(ctx context.Context, c *kube.Client, namespace, name string) (map[string][]byte, error) {
	core, err := c.Core()
	if err != nil {
		return nil, err
	}
	secret, err := core.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return nil, ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	case secret.Labels[ManagedByLabel] != ManagedByValue:
		return nil, ErrNotFound
	}
	return secret.Data, nil
}

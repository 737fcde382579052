package framework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	corev1apply "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Secrets the provider creates for a resource (credentials, kubeconfigs) carry
// ManagedByLabel, and OwnerAnnotation names the one resource they belong to.
// The provider writes, reads back and deletes only Secrets of the resource
// asking, so two resources whose Secret names collide (a fleet_cluster
// `edge-agent` and the fleet_agent of Cluster `edge`) cannot overwrite or
// delete each other's. A Secret written before the annotation existed (only
// the label) is adopted by the first resource that writes it.
const (
	ManagedByLabel  = "app.kubernetes.io/managed-by"
	ManagedByValue  = "terraform-provider-fleet"
	OwnerAnnotation = "terraform-provider-fleet/owner"
)

// SecretOwner is the resource a Secret belongs to: its type and id, e.g.
// fleet_gitrepo and `fleet-default/app`.
type SecretOwner struct{ Type, ID string }

// String is the value of OwnerAnnotation.
func (o SecretOwner) String() string { return o.Type + " " + o.ID }

// ErrForeignSecret is the error of a Secret that exists under the name but
// is not the resource's own: created by someone else, or by the provider
// for another resource.
var ErrForeignSecret = errors.New("the Secret is not this resource's")

// OwnedSecret is a Secret the provider writes on behalf of a resource.
type OwnedSecret struct {
	Owner           SecretOwner
	Namespace, Name string
	Type            corev1.SecretType
	Data            map[string][]byte
}

// checkOwner refuses a Secret that is not owner's with a foreignSecret.
func checkOwner(s *corev1.Secret, owner SecretOwner) error {
	if s.Labels[ManagedByLabel] != ManagedByValue {
		return foreignSecret(fmt.Sprintf("Secret %s/%s exists and was not created by this provider; rename or remove it", s.Namespace, s.Name))
	}
	if other, ok := s.Annotations[OwnerAnnotation]; ok && other != owner.String() {
		return foreignSecret(fmt.Sprintf("Secret %s/%s belongs to %s, not to %s: two resources cannot share it; rename one of them",
			s.Namespace, s.Name, other, owner))
	}
	return nil
}

// foreignSecret is an error that is ErrForeignSecret and says which.
type foreignSecret string

func (e foreignSecret) Error() string { return string(e) }

func (e foreignSecret) Is(target error) bool { return target == ErrForeignSecret }

// ApplyOwnedSecret writes the Secret with server-side apply. It refuses to
// take over a Secret of the same name that the provider did not create, or
// created for another resource.
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
	default:
		if err := checkOwner(existing, s.Owner); err != nil {
			return err
		}
	}
	secret := corev1apply.Secret(s.Name, s.Namespace).
		WithLabels(map[string]string{ManagedByLabel: ManagedByValue}).
		WithAnnotations(map[string]string{OwnerAnnotation: s.Owner.String()}).
		WithType(s.Type).
		WithData(s.Data)
	if _, err := core.CoreV1().Secrets(s.Namespace).Apply(ctx, secret, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
		// The error names the Secret, never its data.
		return fmt.Errorf("write Secret %s/%s: %w", s.Namespace, s.Name, err)
	}
	return nil
}

// DeleteOwnedSecret deletes the Secret if, and only if, it is owner's; it
// leaves any other Secret of that name alone.
func DeleteOwnedSecret(ctx context.Context, c *kube.Client, owner SecretOwner, namespace, name string) error {
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
	if checkOwner(existing, owner) != nil {
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

// ReadOwnedSecret returns the data of owner's Secret: ErrNotFound when it is
// missing, an error wrapping ErrForeignSecret when the Secret of that name is
// someone else's.
func ReadOwnedSecret(ctx context.Context, c *kube.Client, owner SecretOwner, namespace, name string) (map[string][]byte, error) {
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
	}
	if err := checkOwner(secret, owner); err != nil {
		return nil, err
	}
	return secret.Data, nil
}

// SetSecretOwnerReference makes owner's Secret a dependent of the object ref
// names, which must be in the Secret's namespace: the garbage collector then
// deletes the Secret with the object, also when the object is deleted
// outside Terraform. The reference is a patch of its own (not part of the
// Secret's server-side apply), so later applies of the data keep it. Nothing
// happens when the Secret is gone or not owner's.
func SetSecretOwnerReference(ctx context.Context, c *kube.Client, owner SecretOwner, namespace, name string, ref metav1.OwnerReference) error {
	core, err := c.Core()
	if err != nil {
		return err
	}
	secret, err := core.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read Secret %s/%s: %w", namespace, name, err)
	}
	if checkOwner(secret, owner) != nil {
		return nil
	}
	if refs := secret.OwnerReferences; len(refs) == 1 && refs[0].UID == ref.UID {
		return nil
	}
	// One owner: a reference to an earlier object of the same name (deleted
	// and created again) would be a dangling one.
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"resourceVersion": secret.ResourceVersion, "ownerReferences": []metav1.OwnerReference{ref},
	}})
	if err != nil {
		return err
	}
	if _, err := core.CoreV1().Secrets(namespace).Patch(ctx, name, k8stypes.MergePatchType, patch, metav1.PatchOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("set the owner of Secret %s/%s: %w", namespace, name, err)
	}
	return nil
}

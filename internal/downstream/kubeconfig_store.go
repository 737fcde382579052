package downstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Terraform passes no write-only value to refresh and destroy, so a resource
// that reaches its downstream cluster with kubernetes.kubeconfig_wo keeps that
// kubeconfig upstream, in an Opaque Secret of its own next to the object it
// belongs to: key `value` holds the kubeconfig, key `version` the
// kubeconfig_wo_version it came with. Secrets written before the version key
// existed (fleet_rancher_agent's) read as version 0, and the next apply
// rewrites them.
//
// Whoever can edit Secrets in that namespace could otherwise make the
// provider run anything a kubeconfig can ask for on the machine running
// Terraform. So the stored kubeconfig is bound to its resource: the
// SHA-256 of what the resource stored is kept in its private state (never
// the content), and a Secret whose content differs is not used. And it
// must hold inline credentials only (kube.CheckInlineKubeconfig): no exec
// plugin, auth provider or file path, also when the digest matches.
const (
	kubeconfigKey        = "value"
	kubeconfigVersionKey = "version"
	// DigestKey is the private state key of the stored kubeconfig's digest.
	DigestKey = "kubeconfig_sha256"
)

// ErrStoredKubeconfigUnusable is the error of a stored kubeconfig the
// provider refuses to use: changed since the resource stored it, or not
// inline. Applying the configuration writes it again.
var ErrStoredKubeconfigUnusable = errors.New("the stored kubeconfig is not usable")

// KubeconfigStore is the Secret that keeps one resource's kubeconfig_wo.
type KubeconfigStore struct {
	Owner           framework.SecretOwner
	Namespace, Name string
}

// Digest is the SHA-256 of a kubeconfig, as kept in private state.
func Digest(kubeconfig string) string {
	sum := sha256.Sum256([]byte(kubeconfig))
	return hex.EncodeToString(sum[:])
}

// Save writes the kubeconfig and its version, and returns its digest.
func (s KubeconfigStore) Save(ctx context.Context, c *kube.Client, kubeconfig string, version int64) (string, error) {
	err := framework.ApplyOwnedSecret(ctx, c, framework.OwnedSecret{
		Owner:     s.Owner,
		Namespace: s.Namespace,
		Name:      s.Name,
		Type:      corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			kubeconfigKey:        []byte(kubeconfig),
			kubeconfigVersionKey: []byte(strconv.FormatInt(version, 10)),
		},
	})
	if err != nil {
		return "", err
	}
	return Digest(kubeconfig), nil
}

// Load returns the stored kubeconfig and its version. It wraps
// framework.ErrNotFound when the Secret or its kubeconfig is missing, and
// ErrStoredKubeconfigUnusable when the Secret is another's, its content is
// not what the resource stored (digest, from private state; "" for a state
// written before digests were kept, which trusts the content once), or the
// kubeconfig is not inline.
func (s KubeconfigStore) Load(ctx context.Context, c *kube.Client, digest string) (string, int64, error) {
	kubeconfig, version, err := s.read(ctx, c)
	if err != nil {
		return "", 0, err
	}
	fix := fmt.Sprintf("the provider does not use it. Apply the configuration: it writes the Secret again from kubernetes.kubeconfig_wo "+
		"(the update this plan shows does), and check who can edit Secrets in namespace %s.", s.Namespace)
	if digest != "" && Digest(kubeconfig) != digest {
		return "", 0, fmt.Errorf("%w: the Secret %s/%s that keeps kubernetes.kubeconfig_wo was changed outside Terraform; %s",
			ErrStoredKubeconfigUnusable, s.Namespace, s.Name, fix)
	}
	if err := kube.CheckInlineKubeconfig(kubeconfig); err != nil {
		return "", 0, fmt.Errorf("%w: the kubeconfig in Secret %s/%s: %s; %s", ErrStoredKubeconfigUnusable, s.Namespace, s.Name, err, fix)
	}
	return kubeconfig, version, nil
}

// read returns what the Secret holds, unchecked.
func (s KubeconfigStore) read(ctx context.Context, c *kube.Client) (string, int64, error) {
	data, err := framework.ReadOwnedSecret(ctx, c, s.Owner, s.Namespace, s.Name)
	if err == nil && len(data[kubeconfigKey]) == 0 {
		err = framework.ErrNotFound
	}
	switch {
	case errors.Is(err, framework.ErrNotFound):
		return "", 0, fmt.Errorf("%w: the Secret %s/%s that keeps kubernetes.kubeconfig_wo is gone", framework.ErrNotFound, s.Namespace, s.Name)
	case errors.Is(err, framework.ErrForeignSecret):
		return "", 0, fmt.Errorf("%w: %s", ErrStoredKubeconfigUnusable, err)
	case err != nil:
		return "", 0, err
	}
	version, _ := strconv.ParseInt(string(data[kubeconfigVersionKey]), 10, 64)
	return string(data[kubeconfigKey]), version, nil
}

// Delete removes the Secret, if it is the resource's.
func (s KubeconfigStore) Delete(ctx context.Context, c *kube.Client) error {
	return framework.DeleteOwnedSecret(ctx, c, s.Owner, s.Namespace, s.Name)
}

// Sync makes the store follow the configuration on create and update: it
// saves kubeconfig unless the Secret holds exactly it with this version (so
// a Secret changed outside Terraform is written again), and deletes the
// Secret when kubeconfig_wo is not used. It returns the digest to keep in
// private state ("" without a stored kubeconfig).
func (s KubeconfigStore) Sync(ctx context.Context, c *kube.Client, kubeconfig string, version types.Int64) (string, error) {
	if version.IsNull() {
		return "", s.Delete(ctx, c)
	}
	stored, storedVersion, err := s.read(ctx, c)
	switch {
	case err == nil && stored == kubeconfig && storedVersion == version.ValueInt64():
		return Digest(kubeconfig), nil
	case err != nil && !errors.Is(err, framework.ErrNotFound) && !errors.Is(err, ErrStoredKubeconfigUnusable):
		return "", err
	}
	// A Secret of another resource is refused here, with an error naming it.
	return s.Save(ctx, c, kubeconfig, version.ValueInt64())
}

// Private state, as Terraform requests and responses carry it.
type (
	privateGetter interface {
		GetKey(context.Context, string) ([]byte, diag.Diagnostics)
	}
	privateSetter interface {
		SetKey(context.Context, string, []byte) diag.Diagnostics
	}
)

// StoredDigest returns the digest private state keeps ("" when none).
func StoredDigest(ctx context.Context, private privateGetter) string {
	data, _ := private.GetKey(ctx, DigestKey)
	var digest string
	_ = json.Unmarshal(data, &digest) // unreadable: none
	return digest
}

// KeepDigest records digest in private state ("" forgets it). Private state
// values are JSON.
func KeepDigest(ctx context.Context, private privateSetter, digest string) diag.Diagnostics {
	if digest == "" {
		return private.SetKey(ctx, DigestKey, nil)
	}
	data, _ := json.Marshal(digest) // a string always marshals
	return private.SetKey(ctx, DigestKey, data)
}

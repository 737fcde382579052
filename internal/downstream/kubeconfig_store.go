package downstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"

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
const (
	kubeconfigKey        = "value"
	kubeconfigVersionKey = "version"
)

// KubeconfigStore is the Secret that keeps one resource's kubeconfig_wo.
type KubeconfigStore struct {
	Namespace, Name string
}

// Save writes the kubeconfig and its version.
func (s KubeconfigStore) Save(ctx context.Context, c *kube.Client, kubeconfig string, version int64) error {
	return framework.ApplyOwnedSecret(ctx, c, framework.OwnedSecret{
		Namespace: s.Namespace,
		Name:      s.Name,
		Type:      corev1.SecretTypeOpaque,
		Data: map[string][]byte{
			kubeconfigKey:        []byte(kubeconfig),
			kubeconfigVersionKey: []byte(strconv.FormatInt(version, 10)),
		},
	})
}

// Load returns the stored kubeconfig and its version, or an error that wraps
// framework.ErrNotFound when the Secret or its kubeconfig is missing.
func (s KubeconfigStore) Load(ctx context.Context, c *kube.Client) (string, int64, error) {
	data, err := framework.ReadOwnedSecret(ctx, c, s.Namespace, s.Name)
	if err == nil && len(data[kubeconfigKey]) == 0 {
		err = framework.ErrNotFound
	}
	if errors.Is(err, framework.ErrNotFound) {
		return "", 0, fmt.Errorf("%w: the Secret %s/%s that keeps kubernetes.kubeconfig_wo is gone", framework.ErrNotFound, s.Namespace, s.Name)
	}
	if err != nil {
		return "", 0, err
	}
	version, _ := strconv.ParseInt(string(data[kubeconfigVersionKey]), 10, 64)
	return string(data[kubeconfigKey]), version, nil
}

// Delete removes the Secret, if the provider wrote it.
func (s KubeconfigStore) Delete(ctx context.Context, c *kube.Client) error {
	return framework.DeleteOwnedSecret(ctx, c, s.Namespace, s.Name)
}

// Sync makes the store follow the configuration on create and update: it
// saves kubeconfig when version is set and differs from the stored one (or
// nothing is stored), and deletes the Secret when kubeconfig_wo is not used.
func (s KubeconfigStore) Sync(ctx context.Context, c *kube.Client, kubeconfig string, version types.Int64) error {
	if version.IsNull() {
		return s.Delete(ctx, c)
	}
	_, stored, err := s.Load(ctx, c)
	switch {
	case err == nil && stored == version.ValueInt64():
		return nil
	case err != nil && !errors.Is(err, framework.ErrNotFound):
		return err
	}
	return s.Save(ctx, c, kubeconfig, version.ValueInt64())
}

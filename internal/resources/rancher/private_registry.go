package rancher

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

// The cluster-level private registry lives on the management cluster Rancher
// creates for the provisioning Cluster, not on the Cluster this resource
// applies: the provider applies that one field there with its own field
// manager, and reads it back only while it owns it.
var managementClusterAPI = framework.ObjectAPI[rancherapi.ManagementCluster]{GVR: rancherapi.ManagementClusters, Kind: "Rancher management cluster"}

// afterRancherClusterApply waits for Rancher's registration (on create), then
// sets or releases the cluster-level private registry.
func afterRancherClusterApply(ctx context.Context, c *kube.Client, plan *clusterModel, applied *rancherapi.Cluster, firstWait bool) (*rancherapi.Cluster, diag.Diagnostics) {
	current, diags := awaitRancherRegistration(ctx, c, plan, applied, firstWait)
	if current != nil && !diags.HasError() {
		diags.Append(applyPrivateRegistry(ctx, c, plan, current.Status.ClusterName)...)
	}
	return current, diags
}

// readRancherCluster reads what comes from other objects than the Cluster:
// the registration, and the private registry.
func readRancherCluster(ctx context.Context, c *kube.Client, m *clusterModel, cluster *rancherapi.Cluster) diag.Diagnostics {
	diags := readRancherRegistration(ctx, c, m, cluster)
	diags.Append(readPrivateRegistry(ctx, c, m, cluster.Status.ClusterName)...)
	return diags
}

// applyPrivateRegistry applies private_registry_url to the management
// cluster, or, when it is unset and the provider set it before, applies the
// field's removal. Without the setting and without a prior one it sends
// nothing, so users of neither need no access to management clusters.
func applyPrivateRegistry(ctx context.Context, c *kube.Client, plan *clusterModel, clusterID string) diag.Diagnostics {
	var diags diag.Diagnostics
	at := path.Root("private_registry_url")
	if clusterID == "" {
		if !plan.PrivateRegistryURL.IsNull() {
			diags.AddAttributeError(at, "Rancher has not created the management cluster", "Rancher has not named the cluster's management cluster (status.clusterName) yet; apply again once it has.")
		}
		return diags
	}
	obj := &rancherapi.ManagementCluster{}
	obj.APIVersion, obj.Kind, obj.Name = rancherapi.ManagementVersion.String(), rancherapi.KindCluster, clusterID
	if plan.PrivateRegistryURL.IsNull() {
		if owned, _ := ownedPrivateRegistry(ctx, c, clusterID); owned == nil {
			return diags
		}
	} else {
		obj.Spec.ImportedConfig = &rancherapi.ImportedConfig{PrivateRegistryURL: plan.PrivateRegistryURL.ValueString()}
	}
	if _, err := managementClusterAPI.Apply(ctx, c, "", clusterID, obj); err != nil {
		diags.AddAttributeError(at, "Cannot set the cluster's private registry", err.Error())
	}
	return diags
}

// readPrivateRegistry sets m.PrivateRegistryURL to the management cluster's
// value while the provider owns it, else null (another manager's value, such
// as one set in Rancher's UI, is not this resource's).
func readPrivateRegistry(ctx context.Context, c *kube.Client, m *clusterModel, clusterID string) diag.Diagnostics {
	var diags diag.Diagnostics
	if clusterID == "" {
		return diags
	}
	owned, err := ownedPrivateRegistry(ctx, c, clusterID)
	switch {
	case err != nil && !m.PrivateRegistryURL.IsNull():
		diags.AddAttributeError(path.Root("private_registry_url"), "Cannot read the cluster's private registry", err.Error())
	case err != nil: // not used: reading it must not need access to management clusters
	case owned == nil:
		m.PrivateRegistryURL = types.StringNull()
	default:
		m.PrivateRegistryURL = types.StringValue(*owned)
	}
	return diags
}

// ownedPrivateRegistry returns the management cluster's private registry if
// the provider's field manager owns it, else nil.
func ownedPrivateRegistry(ctx context.Context, c *kube.Client, clusterID string) (*string, error) {
	live, err := managementClusterAPI.Get(ctx, c, "", clusterID)
	if errors.Is(err, framework.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read management cluster %s: %w", clusterID, err)
	}
	if live.Spec.ImportedConfig == nil || !agentspec.OwnsSpecField(live.ObjectMeta, framework.FieldManager, "importedConfig") {
		return nil, nil
	}
	return &live.Spec.ImportedConfig.PrivateRegistryURL, nil
}

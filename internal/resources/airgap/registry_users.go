package airgap

import (
	"context"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// registrySecretUsers lists the Fleet objects of the namespace that refer to
// the Secret, as "Kind name (field)".
func registrySecretUsers(ctx context.Context, c *kube.Client, namespace, name string) ([]string, error) {
	var users []string
	clusters, err := framework.ObjectAPI[fleet.Cluster]{GVR: fleet.Clusters, Kind: fleet.KindCluster}.List(ctx, c, namespace, "")
	if err != nil {
		return nil, err
	}
	for _, cl := range clusters {
		if cl.Spec.AgentPullSecrets != nil && slices.Contains(*cl.Spec.AgentPullSecrets, corev1.LocalObjectReference{Name: name}) {
			users = append(users, "Cluster "+cl.Name+" (agentPullSecrets)")
		}
	}
	gitRepos, err := framework.ObjectAPI[fleet.GitRepo]{GVR: fleet.GitRepos, Kind: fleet.KindGitRepo}.List(ctx, c, namespace, "")
	if err != nil {
		return nil, err
	}
	for _, g := range gitRepos {
		for field, value := range map[string]string{"helmSecretName": g.Spec.HelmSecretName,
			"helmSecretNameForPaths": g.Spec.HelmSecretNameForPaths, "ociRegistrySecret": g.Spec.OCIRegistrySecret} {
			if value == name {
				users = append(users, "GitRepo "+g.Name+" ("+field+")")
			}
		}
	}
	helmOps, err := framework.ObjectAPI[fleet.HelmOp]{GVR: fleet.HelmOps, Kind: fleet.KindHelmOp}.List(ctx, c, namespace, "")
	if apierrors.IsNotFound(err) {
		return users, nil // a Fleet without HelmOps
	}
	if err != nil {
		return nil, err
	}
	for _, h := range helmOps {
		if h.Spec.HelmSecretName == name {
			users = append(users, "HelmOp "+h.Name+" (helmSecretName)")
		}
	}
	slices.Sort(users)
	return users, nil
}

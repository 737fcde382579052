package install

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// fleetLocal is the namespace where Fleet bootstraps the local cluster and
// its default group: the controller's objects, not the users'.
const fleetLocal = "fleet-local"

// userKinds are the kinds of Fleet objects users create; the other kinds,
// and objects of these kinds with an owner (the registration token of a
// Cluster Fleet imports), are made by the controllers.
var userKinds = []schema.GroupVersionResource{fleet.GitRepos, fleet.HelmOps, fleet.Clusters, fleet.ClusterGroups, fleet.ClusterRegistrationTokens}

// userObjects lists the Fleet objects users created, as `kind
// namespace/name`, at most limit of them. Kinds the cluster does not serve
// (an older Fleet, CRDs gone) have none.
func userObjects(ctx context.Context, dyn dynamic.Interface, limit int) ([]string, error) {
	var out []string
	for _, gvr := range userKinds {
		kind := gvr.Resource
		list, err := dyn.Resource(gvr).List(ctx, metav1.ListOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		for _, o := range list.Items {
			if len(o.GetOwnerReferences()) > 0 || (o.GetNamespace() == fleetLocal && gvr != fleet.GitRepos && gvr != fleet.HelmOps) {
				continue
			}
			if len(out) == limit {
				return append(out, "..."), nil
			}
			out = append(out, strings.TrimSuffix(kind, "s")+" "+o.GetNamespace()+"/"+o.GetName())
		}
	}
	return out, nil
}

// rancherSettingsCRD is a CRD only Rancher installs: where it is served,
// Rancher manages Fleet.
const rancherSettingsCRD = "settings.management.cattle.io"

// installedByRancher reports whether Rancher runs in the cluster: it
// installs and upgrades Fleet itself.
func installedByRancher(ctx context.Context, dyn dynamic.Interface) (bool, error) {
	_, err := dyn.Resource(crdResource).Get(ctx, rancherSettingsCRD, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look for Rancher (CRD %s): %w", rancherSettingsCRD, err)
	}
	return true, nil
}

package clusters

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

// clusterManagementLabel, set to anything, tells Fleet (v0.12 to v0.16) that
// another manager runs the Cluster: Fleet's agent management then leaves it
// alone and assigns it no namespace.
const clusterManagementLabel = "fleet.cattle.io/cluster-management"

// clusterNamespace is the cluster_namespace of c: the namespace its status
// names, or, until Fleet has written it, the one Fleet will. Fleet derives it
// from the Cluster's namespace and name alone, so a create needs not wait for
// Fleet to know it.
func clusterNamespace(c *fleet.Cluster) string {
	if c.Status != nil && c.Status.Namespace != "" {
		return c.Status.Namespace
	}
	if _, managed := c.Labels[clusterManagementLabel]; managed {
		return ""
	}
	return fleetClusterNamespace(c.Namespace, c.Name)
}

// fleetClusterNamespace is the namespace Fleet's agent management assigns
// the Cluster name in namespace: "cluster-<namespace>-<name>-<key>", key the
// first 12 hex digits of the SHA-256 of "<namespace>::<name>" (of its first
// 100 bytes), shortened as Fleet shortens every name it builds.
func fleetClusterNamespace(namespace, name string) string {
	key := namespace + "::" + name
	if len(key) > 100 {
		key = key[:100]
	}
	keySum := sha256.Sum256([]byte(key))
	return fleetShortName("cluster-" + namespace + "-" + name + "-" + hex.EncodeToString(keySum[:])[:12])
}

// fleetShortName is how Fleet fits a joined name into 63 characters: a
// longer one keeps its first 57 characters (56 when the 57th is no lower-case
// letter or digit, which cannot end a name) and then a dash and enough hex
// digits of its SHA-256 to make 63.
func fleetShortName(joined string) string {
	const limit = 63
	if len(joined) <= limit {
		return joined
	}
	keep := 57
	if last := joined[keep-1]; !('a' <= last && last <= 'z' || '0' <= last && last <= '9') {
		keep--
	}
	sum := sha256.Sum256([]byte(joined))
	return joined[:keep] + "-" + hex.EncodeToString(sum[:])[:limit-keep-1]
}

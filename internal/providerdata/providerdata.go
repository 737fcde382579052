// Package providerdata holds what the provider's Configure hands to its
// resources and data sources.
package providerdata

import "github.com/fleetform/terraform-provider-fleet/internal/kube"

// Data is set as ResourceData, DataSourceData and EphemeralResourceData by
// the provider's Configure.
type Data struct {
	// Client connects to the Fleet management cluster. It is never nil and
	// builds its clients lazily; when the provider's connection settings
	// were unknown at configure time (during plan) every use returns an
	// error explaining so.
	Client *kube.Client

	// DefaultNamespace is the namespace used for objects that set none:
	// the provider's default_namespace, else FLEET_DEFAULT_NAMESPACE, else
	// "fleet-default". It is empty when default_namespace was unknown at
	// configure time; callers should then treat a defaulted namespace as
	// unknown.
	DefaultNamespace string
}

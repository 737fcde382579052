package agentspec

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// AgentFieldManager writes what fleet_agent sets on a Cluster (clientID, the
// proxy in agentEnvVars, its pull Secret in agentPullSecrets). It is not the
// provider's FieldManager: fleet_cluster applies the same Cluster without
// these fields, and with one manager its next apply would remove them.
// Fleet keeps agentEnvVars and agentPullSecrets as atomic lists, so each
// resource checks the other's entries before it applies one of them.
const AgentFieldManager = "terraform-provider-fleet-agent"

// OwnsSpecField reports whether manager applied spec.<field> of the object.
func OwnsSpecField(meta metav1.ObjectMeta, manager, field string) bool {
	for _, entry := range meta.ManagedFields {
		if entry.Manager != manager || entry.Operation != metav1.ManagedFieldsOperationApply || entry.FieldsV1 == nil {
			continue
		}
		var fields map[string]map[string]any
		if err := json.Unmarshal(entry.FieldsV1.Raw, &fields); err != nil {
			continue
		}
		if _, ok := fields["f:spec"]["f:"+field]; ok {
			return true
		}
	}
	return false
}

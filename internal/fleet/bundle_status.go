package fleet

// Bundle is what the waits read of a Fleet Bundle.
type Bundle struct {
	Object `json:",inline"`
	Spec   map[string]any `json:"spec"`
	Status struct {
		ObservedGeneration int64         `json:"observedGeneration"`
		Conditions         []Condition   `json:"conditions,omitempty"`
		Summary            BundleSummary `json:"summary"`
	} `json:"status"`
}

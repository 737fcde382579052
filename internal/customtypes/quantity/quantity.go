// Package quantity is a Terraform string type for Kubernetes resource
// quantities whose spelling does not matter: "1000m" and "1" are the same
// CPU. Fleet's controller rewrites a Cluster's agent resources in canonical
// form, so without semantic equality a configured "1000m" would diff forever.
package quantity

import (
	"fmt"
	"math/big"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
)

// Meaning compares quantities by amount.
type Meaning struct{}

func (Meaning) Name() string    { return "quantity" }
func (Meaning) Invalid() string { return "Invalid quantity" }

// Parse returns the exact decimal amount, the same for equal amounts.
func (Meaning) Parse(s string) (any, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return nil, err
	}
	amount, ok := new(big.Rat).SetString(q.AsDec().String())
	if !ok {
		return nil, fmt.Errorf("quantity %q has no exact amount", s)
	}
	return amount.RatString(), nil
}

// Type is the attribute type (ElementType of a map of quantities).
type Type = semantic.Type[Meaning]

// Value is a quantity as the user spelled it.
type Value = semantic.Value[Meaning]

// NewValue returns a known quantity.
func NewValue(s string) Value { return semantic.NewValue[Meaning](s) }

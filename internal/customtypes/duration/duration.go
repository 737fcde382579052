// Package duration is a Terraform string type for Go durations whose
// spelling does not matter: "1h", "60m" and "1h0m0s" are the same value.
// Fleet stores intervals re-spelled (metav1.Duration writes "1h0m0s"), so
// without semantic equality a configured "1h" would diff forever.
package duration

import (
	"strings"
	"time"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
)

// Meaning compares durations by length.
type Meaning struct{}

func (Meaning) Name() string { return "duration" }

// Invalid is empty: the attributes' validators (Fleet's rules) check the spelling.
func (Meaning) Invalid() string { return "" }

func (Meaning) Parse(s string) (any, error) { return time.ParseDuration(s) }

// Type is the attribute type (CustomType of a schema.StringAttribute).
type Type = semantic.Type[Meaning]

// Value is a duration as the user spelled it.
type Value = semantic.Value[Meaning]

// NewValue returns a known duration.
func NewValue(s string) Value { return semantic.NewValue[Meaning](s) }

// NewNull returns a null duration.
func NewNull() Value { return semantic.NewNull[Meaning]() }

// FromDuration returns d in its shortest usual spelling ("1h", "10m",
// "1m30s"), which is how people write durations: a configuration written so
// plans nothing after an import, where the server's spelling is all there is.
func FromDuration(d time.Duration) Value {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return NewValue(s)
}

// Of parses v; null, unknown and unparsable values give ok false.
func Of(v Value) (d time.Duration, ok bool) {
	if v.IsNull() || v.IsUnknown() {
		return 0, false
	}
	d, err := time.ParseDuration(v.ValueString())
	return d, err == nil
}

package validate

// Checks of the options Fleet applies to a bundle's deployment: rollout
// counts, and the JSON pointers and API versions of diff patches.

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// rolloutCount is a count or a percentage as Fleet's rollout computes them
// (target/status.go limit of Fleet v0.16): an integer, or a number
// ParseFloat reads followed by "%". Leading zeros are refused so that what
// is written reads back the same.
var rolloutCount = regexp.MustCompile(`^(0|[1-9][0-9]*)$|^(0|[1-9][0-9]*)(\.[0-9]+)?%$`)

// CheckRolloutCount checks a rollout count or percentage.
func CheckRolloutCount(s string) error {
	if !rolloutCount.MatchString(s) {
		return fmt.Errorf("%q is neither a whole number (e.g. 2) nor a percentage (e.g. 25%%); "+
			"Fleet fails the rollout on anything else", s)
	}
	if _, err := strconv.ParseInt(s, 10, 32); err != nil && !strings.HasSuffix(s, "%") {
		return fmt.Errorf("%q is larger than Fleet's counts hold (2147483647)", s)
	}
	return nil
}

// RolloutCount validates a rollout count or percentage.
func RolloutCount() validator.String {
	return stringValidator{
		description: "must be a whole number or a percentage",
		markdown:    "must be a whole number (e.g. `2`) or a percentage (e.g. `25%`)",
		summary:     "Invalid count or percentage",
		check:       CheckRolloutCount,
	}
}

// CheckJSONPointer checks an RFC 6901 JSON pointer as Fleet's agent applies
// it in a JSON patch: empty (the whole document) or "/"-separated tokens in
// which "~" only starts "~0" or "~1". A path written with dots (spec.replicas)
// is the common mistake, so the error shows the pointer form.
func CheckJSONPointer(s string) error {
	if s == "" {
		return nil
	}
	if !strings.HasPrefix(s, "/") {
		return fmt.Errorf("%q is not a JSON pointer: it must start with /, e.g. /%s", s, strings.ReplaceAll(s, ".", "/"))
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '~' && (i+1 == len(s) || (s[i+1] != '0' && s[i+1] != '1')) {
			return fmt.Errorf("%q is not a JSON pointer: ~ must be written ~0, and / inside a key ~1", s)
		}
	}
	return nil
}

// JSONPointer validates an RFC 6901 JSON pointer.
func JSONPointer() validator.String {
	return stringValidator{
		description: "must be a JSON pointer such as /spec/replicas",
		markdown:    "must be a JSON pointer such as `/spec/replicas`",
		summary:     "Invalid JSON pointer",
		check:       CheckJSONPointer,
	}
}

// CheckAPIVersion checks an apiVersion as Fleet's agent parses it
// (schema.ParseGroupVersion): "v1" or "group/version".
func CheckAPIVersion(s string) error {
	gv, err := schema.ParseGroupVersion(s)
	if err != nil || gv.Version == "" {
		return fmt.Errorf("%q is not an API version: write it as v1 or group/version, e.g. apps/v1", s)
	}
	return nil
}

// APIVersion validates a Kubernetes apiVersion.
func APIVersion() validator.String {
	return stringValidator{
		description: "must be an API version such as v1 or apps/v1",
		markdown:    "must be an API version such as `v1` or `apps/v1`",
		summary:     "Invalid API version",
		check:       CheckAPIVersion,
	}
}

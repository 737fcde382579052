package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	kjson "sigs.k8s.io/json"
)

// CheckJSONObject checks that s is a single JSON object ({...}), optionally
// surrounded by whitespace. Arrays, scalars and null are rejected.
func CheckJSONObject(s string) error {
	b := []byte(s)
	if !json.Valid(b) {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("the value is not valid JSON: %v", err)
		}
		return errors.New("the value is not valid JSON")
	}
	switch t := bytes.TrimSpace(b); t[0] {
	case '{':
		return nil
	case '[':
		return errors.New("the value is a JSON array; a JSON object ({...}) is required")
	case '"':
		return errors.New("the value is a JSON string; a JSON object ({...}) is required (is it encoded twice?)")
	case 'n':
		return errors.New("the value is JSON null; a JSON object ({...}) is required")
	default:
		return errors.New("the value is a JSON scalar; a JSON object ({...}) is required")
	}
}

// JSONObject validates that a string holds a JSON object (see CheckJSONObject).
func JSONObject() validator.String {
	return stringValidator{
		description: "must be a JSON object",
		markdown:    "must be a JSON object (`{...}`)",
		summary:     "Invalid JSON object",
		check:       CheckJSONObject,
	}
}

// DecodeStrictJSON decodes a JSON object into a new T as the Kubernetes API
// server decodes objects: field names match exactly (case-sensitive), and an
// unknown or duplicate field is an error. (encoding/json would drop a
// misspelled field silently, and match "NodeAffinity" to "nodeAffinity".)
func DecodeStrictJSON[T any](s string) (*T, error) {
	if err := CheckJSONObject(s); err != nil {
		return nil, err
	}
	out := new(T)
	strict, err := kjson.UnmarshalStrict([]byte(s), out)
	if err != nil {
		return nil, fmt.Errorf("the value does not decode as %T: %v", *out, err)
	}
	if len(strict) > 0 {
		msgs := make([]string, len(strict))
		for i, e := range strict {
			msgs[i] = e.Error()
		}
		return nil, fmt.Errorf("%s (field names are case-sensitive)", strings.Join(msgs, "; "))
	}
	return out, nil
}

// StrictJSON validates a JSON object that must decode strictly into T (see
// DecodeStrictJSON); kind names T for people, e.g. "a core/v1 Affinity".
func StrictJSON[T any](kind string) validator.String {
	return stringValidator{
		description: "must be the JSON of " + kind + ", without unknown or misspelled fields",
		summary:     "Invalid JSON of " + kind,
		check: func(s string) error {
			_, err := DecodeStrictJSON[T](s)
			return err
		},
	}
}

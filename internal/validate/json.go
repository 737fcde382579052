package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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

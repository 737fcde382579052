package acctest

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// HandOver is what a user's script does with ephemeral values: a
// terraform_data whose local-exec provisioner writes them, as JSON, to a
// file the test reads back.
type HandOver struct{ path string }

// NewHandOver returns a hand-over to a file of the test's own.
func NewHandOver(t *testing.T) HandOver {
	return HandOver{path: filepath.Join(t.TempDir(), "handed-over.json")}
}

// Resource is the terraform_data named name that hands over values: the
// HCL expression of each key.
func (h HandOver) Resource(name string, values map[string]string) string {
	var fields strings.Builder
	for _, k := range slices.Sorted(maps.Keys(values)) {
		fmt.Fprintf(&fields, "        %s = %s\n", k, values[k])
	}
	return fmt.Sprintf(`
resource "terraform_data" %q {
  provisioner "local-exec" {
    command     = "printf '%%s' \"$HANDED_OVER\" > %s"
    environment = {
      HANDED_OVER = jsonencode({
%s      })
    }
  }
}
`, name, h.path, fields.String())
}

// Read returns what the provisioner handed over.
func (h HandOver) Read() (map[string]string, error) {
	raw, err := os.ReadFile(h.path)
	if err != nil {
		return nil, fmt.Errorf("the provisioner handed nothing over: %w", err)
	}
	var got map[string]string
	return got, json.Unmarshal(raw, &got)
}

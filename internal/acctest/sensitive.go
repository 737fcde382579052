package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// SecretOnlyInSensitiveValues greps the state (terraform show -json) for a
// secret the test reads when the check runs (what names it): every value
// holding it must be marked sensitive.
func SecretOnlyInSensitiveValues(what string, secret func() string) statecheck.StateCheck {
	return secretCheck{what, secret}
}

type secretCheck struct {
	what   string
	secret func() string
}

func (c secretCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	token := c.secret()
	if len(token) < 20 {
		resp.Error = fmt.Errorf("implausible %s %q", c.what, token)
		return
	}
	for _, r := range req.State.Values.RootModule.Resources {
		var sensitive any
		if len(r.SensitiveValues) > 0 {
			if err := json.Unmarshal(r.SensitiveValues, &sensitive); err != nil {
				resp.Error = err
				return
			}
		}
		var values any = r.AttributeValues
		if err := findUnmarked(values, sensitive, token, c.what, r.Address); err != nil {
			resp.Error = err
			return
		}
	}
}

// findUnmarked walks values alongside Terraform's sensitive_values tree
// (true marks a sensitive value or subtree).
func findUnmarked(values, sensitive any, token, what, at string) error {
	if b, ok := sensitive.(bool); ok && b {
		return nil
	}
	switch v := values.(type) {
	case string:
		if strings.Contains(v, token) {
			return fmt.Errorf("%s holds the %s and is not marked sensitive", at, what)
		}
	case map[string]any:
		s, _ := sensitive.(map[string]any)
		for k, child := range v {
			if err := findUnmarked(child, s[k], token, what, at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		s, _ := sensitive.([]any)
		for i, child := range v {
			var sc any
			if i < len(s) {
				sc = s[i]
			}
			if err := findUnmarked(child, sc, token, what, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// StateFileLacks fails when any of the secrets occurs in the state: in what
// the test framework reads (terraform show -json) and in the raw state files
// (private data included) that the CLI under test (Terraform or OpenTofu)
// wrote in the working directories under dir, the test's TF_ACC_TEMP_DIR.
// It fails too when no state file there holds a resource of resourceType, so
// that a check of the wrong folder cannot pass.
func StateFileLacks(dir, resourceType string, secrets ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		shown, err := json.Marshal(s)
		if err != nil {
			return err
		}
		var raw strings.Builder
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "terraform.tfstate") {
				data, err := os.ReadFile(p)
				raw.Write(data)
				return err
			}
			return err
		})
		if err != nil {
			return err
		}
		if !strings.Contains(raw.String(), `"type": "`+resourceType+`"`) {
			return fmt.Errorf("no state file with a %s under %s", resourceType, dir)
		}
		for _, secret := range secrets {
			if strings.Contains(string(shown), secret) || strings.Contains(raw.String(), secret) {
				return fmt.Errorf("the state holds the secret value %q", secret)
			}
		}
		return nil
	}
}

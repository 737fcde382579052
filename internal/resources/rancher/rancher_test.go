package rancher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// The Rancher tests run against the real kube-apiserver with Rancher's real
// provisioning CRD; Rancher's own part is played by testenv.RancherStandIn
// (see its documentation for what it mirrors and what it does not).

// startRancher starts a Rancher stand-in for namespace, stopped when the
// test ends (before the namespace is deleted).
func startRancher(t *testing.T, opts testenv.RancherStandInOptions) *testenv.RancherStandIn {
	t.Helper()
	r, err := acctest.Env.StartRancherStandIn(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Err(); err != nil {
			t.Errorf("Rancher stand-in: %v", err)
		}
		r.Stop()
	})
	return r
}

func startDownstream(t *testing.T, name string) *testenv.Cluster {
	t.Helper()
	down, err := acctest.Env.StartDownstream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Stop)
	return down
}

// wrappedError matches an error holding the parts in order, however
// Terraform wraps its lines.
func wrappedError(parts ...string) *regexp.Regexp {
	for i, p := range parts {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// tokenOnlyInSensitiveValues greps the state (terraform show -json) for the
// registration token: every value holding it must be marked sensitive.
func tokenOnlyInSensitiveValues(token func() string) statecheck.StateCheck {
	return tokenCheck{token}
}

type tokenCheck struct{ token func() string }

func (c tokenCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	token := c.token()
	if len(token) < 20 {
		resp.Error = fmt.Errorf("implausible token %q", token)
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
		if err := findUnmarked(values, sensitive, token, r.Address); err != nil {
			resp.Error = err
			return
		}
	}
}

// findUnmarked walks values alongside Terraform's sensitive_values tree
// (true marks a sensitive value or subtree).
func findUnmarked(values, sensitive any, token, at string) error {
	if b, ok := sensitive.(bool); ok && b {
		return nil
	}
	switch v := values.(type) {
	case string:
		if strings.Contains(v, token) {
			return fmt.Errorf("%s holds the registration token and is not marked sensitive", at)
		}
	case map[string]any:
		s, _ := sensitive.(map[string]any)
		for k, child := range v {
			if err := findUnmarked(child, s[k], token, at+"."+k); err != nil {
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
			if err := findUnmarked(child, sc, token, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

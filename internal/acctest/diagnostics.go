package acctest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Diagnostics records the diagnostics the provider returns to Terraform
// from plans and applies. terraform-plugin-testing shows checks only
// errors; warnings, which Terraform prints to the user, are checked with
// Warning.
type Diagnostics struct {
	mu       sync.Mutex
	recorded []*tfprotov6.Diagnostic
}

// Factories serve the provider in-process, as ProtoV6ProviderFactories,
// and record its diagnostics.
func (d *Diagnostics) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"fleet": func() (tfprotov6.ProviderServer, error) {
			server, err := ProtoV6ProviderFactories["fleet"]()
			return recordingServer{ProviderServer: server, d: d}, err
		},
	}
}

func (d *Diagnostics) record(diags []*tfprotov6.Diagnostic) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.recorded = append(d.recorded, diags...)
}

// take returns what was recorded and forgets it.
func (d *Diagnostics) take() []*tfprotov6.Diagnostic {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.recorded
	d.recorded = nil
	return out
}

// Warning is a check that, since the last Warning check, the provider
// returned a warning whose summary and detail hold texts in this order
// (see Fragments).
func (d *Diagnostics) Warning(texts ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		return d.expect(tfprotov6.DiagnosticSeverityWarning, Fragments(texts...))
	}
}

func (d *Diagnostics) expect(severity tfprotov6.DiagnosticSeverity, want *regexp.Regexp) error {
	var seen []string
	for _, diag := range d.take() {
		text := diag.Summary + ": " + diag.Detail
		if diag.Severity == severity && want.MatchString(text) {
			return nil
		}
		seen = append(seen, fmt.Sprintf("%s %q", diag.Severity, text))
	}
	return fmt.Errorf("no %s matching %s; the provider returned: [%s]", severity, want, strings.Join(seen, ", "))
}

// recordingServer is the provider's server, recording the diagnostics of
// plans and applies.
type recordingServer struct {
	tfprotov6.ProviderServer
	d *Diagnostics
}

func (s recordingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.d.record(resp.Diagnostics)
	}
	return resp, err
}

func (s recordingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.d.record(resp.Diagnostics)
	}
	return resp, err
}

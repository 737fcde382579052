package acctest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// Warnings records the warning diagnostics the provider returns for
// resources (validate, refresh, plan, apply): terraform-plugin-testing
// checks errors only, but some behaviour users see is a warning, e.g. a
// refresh that keeps the prior state and says how to fix it.
type Warnings struct {
	mu   sync.Mutex
	seen []string
}

// RecordWarnings returns a recorder and provider factories, to use instead
// of ProtoV6ProviderFactories, that serve the provider and record its
// warnings.
func RecordWarnings() (*Warnings, map[string]func() (tfprotov6.ProviderServer, error)) {
	w := &Warnings{}
	return w, map[string]func() (tfprotov6.ProviderServer, error){
		"fleet": func() (tfprotov6.ProviderServer, error) {
			server, err := ProtoV6ProviderFactories["fleet"]()
			if err != nil {
				return nil, err
			}
			return warningServer{ProviderServer: server, w: w}, nil
		},
	}
}

// Reset forgets what was recorded, e.g. in a step's PreConfig.
func (w *Warnings) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen = nil
}

// Contains reports an error unless a recorded warning (summary and detail)
// contains every fragment.
func (w *Warnings) Contains(fragments ...string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.seen {
		all := true
		for _, f := range fragments {
			all = all && strings.Contains(s, f)
		}
		if all {
			return nil
		}
	}
	return fmt.Errorf("no warning contains %q; warnings: %q", fragments, w.seen)
}

func (w *Warnings) record(diags []*tfprotov6.Diagnostic) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityWarning {
			w.seen = append(w.seen, d.Summary+": "+d.Detail)
		}
	}
}

// warningServer is the provider server with the resource calls recorded.
type warningServer struct {
	tfprotov6.ProviderServer
	w *Warnings
}

func (s warningServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	resp, err := s.ProviderServer.ValidateResourceConfig(ctx, req)
	if resp != nil {
		s.w.record(resp.Diagnostics)
	}
	return resp, err
}

func (s warningServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	resp, err := s.ProviderServer.ReadResource(ctx, req)
	if resp != nil {
		s.w.record(resp.Diagnostics)
	}
	return resp, err
}

func (s warningServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	resp, err := s.ProviderServer.PlanResourceChange(ctx, req)
	if resp != nil {
		s.w.record(resp.Diagnostics)
	}
	return resp, err
}

func (s warningServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	resp, err := s.ProviderServer.ApplyResourceChange(ctx, req)
	if resp != nil {
		s.w.record(resp.Diagnostics)
	}
	return resp, err
}

// PlanCheck runs f as a plan check: for what a plan must (or must not)
// have done besides the plan itself, e.g. warn, or leave a file unwritten.
func PlanCheck(f func() error) plancheck.PlanCheck { return planCheckFunc(f) }

type planCheckFunc func() error

func (f planCheckFunc) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f()
}

// Check is a check that a recorded warning contains every fragment (see
// Contains).
func (w *Warnings) Check(fragments ...string) resource.TestCheckFunc {
	return func(*terraform.State) error { return w.Contains(fragments...) }
}

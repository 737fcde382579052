package framework

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A create or update that wrote the object but whose wait (or a read after
// it) did not finish keeps the object in state and marks it in private
// state; the next plan is then an update that waits again, and a successful
// apply clears the mark.

// pendingWaitKey is the private state key of that mark.
const pendingWaitKey = "pending_wait"

// privateSetter is the private state of a Create or Update response.
type privateSetter interface {
	SetKey(context.Context, string, []byte) diag.Diagnostics
}

// pendingWait reports whether the last apply did not finish waiting.
func pendingWait(ctx context.Context, private privateReader) bool {
	data, _ := private.GetKey(ctx, pendingWaitKey)
	return string(data) == "true"
}

// setPendingWait sets or clears the mark.
func setPendingWait(ctx context.Context, private privateSetter, pending bool) diag.Diagnostics {
	if pending {
		return private.SetKey(ctx, pendingWaitKey, []byte(`true`))
	}
	return private.SetKey(ctx, pendingWaitKey, nil)
}

// markStatusUnknown plans every attribute the server alone sets (computed,
// not optional), but id, as unknown: "known after apply".
func markStatusUnknown(ctx context.Context, s schema.Schema, plan *tfsdk.Plan) diag.Diagnostics {
	var diags diag.Diagnostics
	for name, a := range s.Attributes {
		if name == "id" || !a.IsComputed() || a.IsOptional() {
			continue
		}
		unknown, err := a.GetType().ValueFromTerraform(ctx, tftypes.NewValue(a.GetType().TerraformType(ctx), tftypes.UnknownValue))
		if err != nil {
			diags.AddError("Cannot plan the status as unknown", err.Error())
			continue
		}
		diags.Append(plan.SetAttribute(ctx, path.Root(name), unknown)...)
	}
	return diags
}

// notFinishedWarnings turns the errors of what a create did after writing
// the object (waits, reads) into warnings that say the object is kept.
func notFinishedWarnings(after diag.Diagnostics, kind, namespace, name string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range after {
		if d.Severity() != diag.SeverityError {
			out.Append(d)
			continue
		}
		detail := d.Detail() + fmt.Sprintf("\n\n%s %s/%s was created and is kept in the state, not tainted: it is not replaced. "+
			"The next apply plans an update that waits for it again.", kind, namespace, name)
		if p, ok := d.(diag.DiagnosticWithPath); ok {
			out.AddAttributeWarning(p.Path(), d.Summary(), detail)
		} else {
			out.AddWarning(d.Summary(), detail)
		}
	}
	return out
}

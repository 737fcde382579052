package compat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// Gates refuses what one resource type would send that the management
// cluster's Fleet does not have: at plan time when the cluster can be asked,
// and at apply time by explaining the error the API server gave.
type Gates struct {
	features []Feature
}

// GatesFor returns the gates of a resource type (see Features).
func GatesFor(resource string) Gates { return Gates{features: ForResource(resource)} }

// unavailableSummary is the summary of every refusal.
const unavailableSummary = "Not available in this Fleet release"

// CheckPlan refuses the configured features the cluster's Fleet does not
// have; the resource's kind counts as always configured. It asks the cluster
// only when the configuration uses a gated feature, and says nothing when it
// cannot learn the answer (connection unknown or unreachable, Fleet not
// installed yet): a plan of new resources needs no API access, and the apply
// explains a rejection (ExplainApplyError).
func (g Gates) CheckPlan(ctx context.Context, c *kube.Client, config tfsdk.Config) diag.Diagnostics {
	var used []Feature
	for _, f := range g.features {
		if f.Attribute == "" || configured(config.Raw, f.Attribute) {
			used = append(used, f)
		}
	}
	if len(used) == 0 {
		return nil
	}
	fleet, err := Learn(ctx, c)
	if err != nil {
		tflog.Debug(ctx, "cannot learn the management cluster's Fleet release at plan time; the apply will tell", map[string]any{"error": err.Error()})
		return nil
	}
	if !fleet.Installed {
		return nil
	}
	var diags diag.Diagnostics
	for _, f := range used {
		if !fleet.Has(f) {
			diags.Append(refusal(f, fleet.Version))
		}
	}
	return diags
}

// configured reports whether the configuration sets an attribute, nested
// ones through single objects (a value unknown until apply counts).
func configured(config tftypes.Value, attribute string) bool {
	at := tftypes.NewAttributePath()
	for _, name := range strings.Split(attribute, ".") {
		at = at.WithAttributeName(name)
	}
	v, _, err := tftypes.WalkAttributePath(config, at)
	if err != nil {
		return false
	}
	value, ok := v.(tftypes.Value)
	return ok && !value.IsNull()
}

// undeclaredField matches the error of a server-side apply that sends a field
// the CRD's schema does not have (structured-merge-diff, as every supported
// Kubernetes release words it): ".spec.agentPullSecrets: field not declared
// in schema".
var undeclaredField = regexp.MustCompile(`\.([A-Za-z0-9_.]+): field not declared in schema`)

// ExplainApplyError turns the error of a rejected write into the refusal
// CheckPlan gives: a field this Fleet does not declare, or (a 404 for the
// type) a kind it does not serve. It returns nothing for other errors.
func (g Gates) ExplainApplyError(ctx context.Context, c *kube.Client, err error) diag.Diagnostics {
	var undeclared []Feature
	for _, m := range undeclaredField.FindAllStringSubmatch(err.Error(), -1) {
		field := strings.Split(m[1], ".")
		for _, f := range g.features {
			if f.Field != nil && len(field) >= len(f.Field) && slices.Equal(field[:len(f.Field)], f.Field) {
				undeclared = append(undeclared, f)
			}
		}
	}
	var status apierrors.APIStatus
	typeMissing := apierrors.IsNotFound(err) && errors.As(err, &status)
	if len(undeclared) == 0 && !typeMissing {
		return nil
	}
	version := "an older release"
	fleet, learnErr := Learn(ctx, c)
	if learnErr == nil && fleet.Installed {
		version = fleet.Version
	}
	var diags diag.Diagnostics
	for _, f := range undeclared {
		diags.Append(refusal(f, version))
	}
	// A 404 on apply, which creates the object, means the type is not
	// served, or the namespace does not exist: discovery tells them apart.
	if typeMissing && learnErr == nil && fleet.Installed {
		for _, f := range g.features {
			if f.Attribute == "" && !fleet.Has(f) {
				diags.Append(refusal(f, version))
			}
		}
	}
	return diags
}

// refusal is the error for a feature the cluster's Fleet (version) lacks.
func refusal(f Feature, version string) diag.Diagnostic {
	remedy := "remove the attribute"
	if f.Attribute == "" {
		remedy = "remove the resource"
	}
	detail := fmt.Sprintf("%s needs Fleet ≥ %s; this management cluster runs %s. Fleet %s ships with Rancher %s: upgrade Fleet, or %s.",
		f.label(), f.Since, version, f.Since, rancherOf(f.Since), remedy)
	if f.Attribute == "" {
		return diag.NewErrorDiagnostic(unavailableSummary, detail)
	}
	names := strings.Split(f.Attribute, ".")
	at := path.Root(names[0])
	for _, name := range names[1:] {
		at = at.AtName(name)
	}
	return diag.NewAttributeErrorDiagnostic(at, unavailableSummary, detail)
}

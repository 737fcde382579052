package workloads

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// The status that fleet_gitrepo and fleet_helmop share (Fleet's StatusBase),
// and wait_for_ready.

// deployStatusModel is the read-only status of a GitRepo or HelmOp.
type deployStatusModel struct {
	ReadyClusters        types.Int64  `tfsdk:"ready_clusters"`
	DesiredReadyClusters types.Int64  `tfsdk:"desired_ready_clusters"`
	State                types.String `tfsdk:"state"`
	Message              types.String `tfsdk:"message"`
	// Summary is an object value: computed, it is unknown in update plans.
	Summary types.Object `tfsdk:"summary"`
}

var summaryAttrTypes = map[string]attr.Type{
	"ready": types.Int64Type, "not_ready": types.Int64Type, "err_applied": types.Int64Type,
	"out_of_sync": types.Int64Type, "modified": types.Int64Type, "pending": types.Int64Type,
	"wait_applied": types.Int64Type, "desired_ready": types.Int64Type,
}

// deployStatusAttributes adds the status attributes of a GitRepo or HelmOp (kind).
func deployStatusAttributes(attrs map[string]schema.Attribute, kind string) {
	what := "the " + kind
	attrs["ready_clusters"] = schema.Int64Attribute{Computed: true,
		Description: "Number of clusters where every bundle of " + what + " is ready."}
	attrs["desired_ready_clusters"] = schema.Int64Attribute{Computed: true,
		Description: "Number of clusters " + what + " deploys to."}
	attrs["state"] = schema.StringAttribute{Computed: true,
		Description: "The least ready state of the deployments (e.g. `NotReady`, `ErrApplied`); empty when all are ready."}
	attrs["message"] = schema.StringAttribute{Computed: true,
		Description: "Fleet's message for that state, e.g. the error of a failed deployment."}
	counts := map[string]string{
		"ready": "ready", "not_ready": "applied but not ready", "err_applied": "failed to apply",
		"out_of_sync": "out of sync (e.g. paused)", "modified": "modified in the cluster", "pending": "pending",
		"wait_applied": "waiting to be applied", "desired_ready": "in total",
	}
	summary := map[string]schema.Attribute{}
	for name, desc := range counts {
		summary[name] = schema.Int64Attribute{Computed: true, Description: "Bundle deployments " + desc + "."}
	}
	attrs["summary"] = schema.SingleNestedAttribute{Computed: true, Attributes: summary,
		Description: "Bundle deployments of " + what + " by state, as Fleet counts them."}
}

// waitForReadyAttribute is wait_for_ready of a GitRepo or HelmOp (kind).
func waitForReadyAttribute(kind string) schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional: true, Computed: true, Default: booldefault.StaticBool(false),
		Description: "Wait after create and update until Fleet reports the " + kind + " deployed and ready on " +
			"every targeted cluster (at least one), bounded by the `timeouts` block (default 2 minutes). Fails " +
			"early with Fleet's message when a deployment fails. A paused " + kind + " never gets ready. Defaults to `false`.",
	}
}

func flattenDeployStatus(s fleet.StatusBase) deployStatusModel {
	sum := s.Summary
	count := func(n int) attr.Value { return types.Int64Value(int64(n)) }
	return deployStatusModel{
		ReadyClusters:        types.Int64Value(int64(s.ReadyClusters)),
		DesiredReadyClusters: types.Int64Value(int64(s.DesiredReadyClusters)),
		State:                types.StringValue(s.Display.State),
		Message:              types.StringValue(s.Display.Message),
		Summary: types.ObjectValueMust(summaryAttrTypes, map[string]attr.Value{
			"ready": count(sum.Ready), "not_ready": count(sum.NotReady), "err_applied": count(sum.ErrApplied),
			"out_of_sync": count(sum.OutOfSync), "modified": count(sum.Modified), "pending": count(sum.Pending),
			"wait_applied": count(sum.WaitApplied), "desired_ready": count(sum.DesiredReady),
		}),
	}
}

// deployCheck is what one look at a GitRepo or HelmOp found.
type deployCheck struct {
	ready bool
	// failed is Fleet's message when the deployment failed.
	failed string
	// waiting says what is not ready yet, for the timeout error.
	waiting string
}

func waitingFor(format string, args ...any) deployCheck {
	return deployCheck{waiting: fmt.Sprintf(format, args...)}
}

// awaitDeployed polls check until it reports ready or failed, or ctx ends.
func awaitDeployed(ctx context.Context, kind, namespace, name string, check func(context.Context) (deployCheck, error)) diag.Diagnostics {
	var diags diag.Diagnostics
	var last deployCheck
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		c, err := check(ctx)
		if err != nil {
			return false, err
		}
		last = c
		return c.ready || c.failed != "", nil
	})
	switch {
	case err == nil && last.failed != "":
		diags.AddError(fmt.Sprintf("The %s failed to deploy", kind),
			fmt.Sprintf("Fleet reports for %s %s/%s: %s", kind, namespace, name, validate.RedactURLPasswords(last.failed)))
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError(fmt.Sprintf("Timed out waiting for the %s to be ready", kind),
			fmt.Sprintf("%s %s/%s is saved, but it was not ready before the timeout: %s. "+
				"Raise the `timeouts`, or set wait_for_ready = false.", kind, namespace, name, last.waiting))
	case err != nil:
		diags.AddError(fmt.Sprintf("Cannot read the %s while waiting for it", kind), err.Error())
	}
	return diags
}

// failedCondition returns the message of a condition Fleet sets when it gives
// up: Stalled (a failed git job or chart poll), or Ready/Accepted set from an
// error (Fleet's reason "Error", e.g. a bundle that does not render).
func failedCondition(conditions []fleet.Condition) string {
	for _, c := range conditions {
		switch {
		case c.Type == "Stalled" && c.Status == "True":
			return c.Message
		case (c.Type == "Ready" || c.Type == "Accepted") && c.Status == "False" && c.Reason == "Error":
			return c.Message
		}
	}
	return ""
}

// summaryFailure describes bundle deployments that failed to apply.
func summaryFailure(s fleet.BundleSummary, display string) string {
	if s.ErrApplied == 0 {
		return ""
	}
	var msgs []string
	for _, r := range s.NonReadyResources {
		if r.State == "ErrApplied" && r.Message != "" {
			msgs = append(msgs, r.Name+": "+r.Message)
		}
	}
	if len(msgs) == 0 && display != "" {
		msgs = append(msgs, display)
	}
	return fmt.Sprintf("%d deployment(s) failed to apply: %s", s.ErrApplied, strings.Join(msgs, "; "))
}

// statusCheck judges the StatusBase Fleet computes from the bundle
// deployments: ready when the Ready condition holds and every one of at
// least one targeted cluster is ready.
func statusCheck(s fleet.StatusBase) deployCheck {
	if msg := failedCondition(s.Conditions); msg != "" {
		return deployCheck{failed: msg}
	}
	if msg := summaryFailure(s.Summary, s.Display.Message); msg != "" {
		return deployCheck{failed: msg}
	}
	if s.DesiredReadyClusters == 0 {
		return waitingFor("no cluster is targeted yet (0 bundle deployments)")
	}
	ready := fleet.FindCondition(s.Conditions, "Ready")
	if s.ReadyClusters != s.DesiredReadyClusters || s.Summary.Ready != s.Summary.DesiredReady || ready == nil || ready.Status != "True" {
		msg := fmt.Sprintf("%d of %d cluster(s) ready", s.ReadyClusters, s.DesiredReadyClusters)
		if ready != nil && ready.Message != "" {
			msg += ": " + ready.Message
		}
		return waitingFor("%s", msg)
	}
	return deployCheck{ready: true}
}

var bundleAPI = framework.ObjectAPI[fleet.Bundle]{GVR: fleet.Resource("bundles"), Kind: "Bundle"}

// bundleCheck judges one Bundle. The bundle controller computes a Bundle's
// status from the deployments it just wrote, so once it observed the
// Bundle's generation its summary is current, unlike the GitRepo's or
// HelmOp's, which another controller updates a moment later.
func bundleCheck(b *fleet.Bundle) deployCheck {
	s := b.Status
	if s.ObservedGeneration != b.Generation {
		return waitingFor("the Fleet controller has not processed Bundle %s yet", b.Name)
	}
	if msg := failedCondition(s.Conditions); msg != "" {
		return deployCheck{failed: "Bundle " + b.Name + ": " + msg}
	}
	if msg := summaryFailure(s.Summary, ""); msg != "" {
		return deployCheck{failed: "Bundle " + b.Name + ": " + msg}
	}
	if s.Summary.Ready != s.Summary.DesiredReady {
		return waitingFor("Bundle %s is ready on %d of %d cluster(s)", b.Name, s.Summary.Ready, s.Summary.DesiredReady)
	}
	return deployCheck{ready: true}
}

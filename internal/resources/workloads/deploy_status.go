package workloads

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
	// stale is a failure Fleet still reports from before the provider's
	// last write: not a verdict on this spec, but worth naming on timeout.
	stale string
}

func waitingFor(format string, args ...any) deployCheck {
	return deployCheck{waiting: fmt.Sprintf(format, args...)}
}

// staleFailureGrace is how long a failure from before the apply may go on
// being reported before the wait takes it as the verdict on this spec:
// Fleet's conditions keep their time while the message stays the same, so
// an update that fails the same way never gets a newer one.
const staleFailureGrace = time.Minute

// awaitDeployed polls check until it reports ready or failed, or ctx ends.
func awaitDeployed(ctx context.Context, kind, namespace, name string, check func(context.Context) (deployCheck, error)) diag.Diagnostics {
	var diags diag.Diagnostics
	var last deployCheck
	began := time.Now()
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		c, err := check(ctx)
		if err != nil {
			return false, err
		}
		if c.stale != "" && time.Since(began) > staleFailureGrace {
			c.failed = c.stale
		}
		last = c
		return c.ready || c.failed != "", nil
	})
	switch {
	case err == nil && last.failed != "":
		diags.AddError(fmt.Sprintf("The %s failed to deploy", kind),
			fmt.Sprintf("Fleet reports for %s %s/%s: %s", kind, namespace, name, validate.RedactURLPasswords(last.failed)))
	case errors.Is(err, context.DeadlineExceeded):
		waiting := last.waiting
		if last.stale != "" {
			waiting += "; Fleet still reports a failure from before this apply: " + last.stale
		}
		diags.AddError(fmt.Sprintf("Timed out waiting for the %s to be ready", kind),
			fmt.Sprintf("%s %s/%s is saved, but it was not ready before the timeout: %s%s. "+
				"Raise the `timeouts`, or set wait_for_ready = false.", kind, namespace, name, waiting, framework.TransientCause(err)))
	case err != nil:
		diags.AddError(fmt.Sprintf("Cannot read the %s while waiting for it", kind), err.Error())
	}
	return diags
}

// A wait judges what Fleet reports about the spec the provider wrote. Fleet
// keeps a failure in the status until it has processed the next spec, so
// right after an update that fixes a failing GitRepo or HelmOp the status
// still holds the old failure. since is when the provider last changed the
// object (framework.AppliedAt, by the API server's clock, which Fleet's
// controllers share; seconds, as condition times): a condition updated
// before it is about an earlier spec. Such a failure does not end the wait;
// a timeout names it.

// reportedSince reports whether the condition was updated at or after
// since. A condition without a time, or a zero since, counts as current.
func reportedSince(c fleet.Condition, since time.Time) bool {
	updated, err := time.Parse(time.RFC3339, c.LastUpdateTime)
	return since.IsZero() || err != nil || !updated.Before(since.Truncate(time.Second))
}

// failedCondition returns the message of a condition Fleet sets when it gives
// up: Stalled (a failed git job or chart poll), or Ready/Accepted set from an
// error (Fleet's reason "Error", e.g. a bundle that does not render); current
// when reported since since, stale when before.
func failedCondition(conditions []fleet.Condition, since time.Time) (current, stale string) {
	for _, c := range conditions {
		failed := (c.Type == "Stalled" && c.Status == "True") ||
			((c.Type == "Ready" || c.Type == "Accepted") && c.Status == "False" && c.Reason == "Error")
		switch {
		case !failed:
		case reportedSince(c, since):
			return c.Message, ""
		case stale == "":
			stale = c.Message
		}
	}
	return "", stale
}

// withStale adds a stale failure to a check that is still waiting.
func withStale(c deployCheck, stale string) deployCheck {
	if !c.ready && c.failed == "" && c.stale == "" {
		c.stale = stale
	}
	return c
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
// least one targeted cluster is ready. The failed deployments it counts are
// current once the status controller updated the Ready condition since
// since (it writes both together).
func statusCheck(s fleet.StatusBase, since time.Time) deployCheck {
	current, stale := failedCondition(s.Conditions, since)
	if current != "" {
		return deployCheck{failed: current}
	}
	ready := fleet.FindCondition(s.Conditions, "Ready")
	if msg := summaryFailure(s.Summary, s.Display.Message); msg != "" {
		if ready == nil || reportedSince(*ready, since) {
			return deployCheck{failed: msg}
		}
		stale = msg
	}
	if s.DesiredReadyClusters == 0 {
		return withStale(waitingFor("no cluster is targeted yet (0 bundle deployments)"), stale)
	}
	if s.ReadyClusters != s.DesiredReadyClusters || s.Summary.Ready != s.Summary.DesiredReady || ready == nil || ready.Status != "True" {
		msg := fmt.Sprintf("%d of %d cluster(s) ready", s.ReadyClusters, s.DesiredReadyClusters)
		if ready != nil && ready.Message != "" {
			msg += ": " + ready.Message
		}
		return withStale(waitingFor("%s", msg), stale)
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
	// Its generation observed, a Bundle's conditions are about its spec.
	if msg, _ := failedCondition(s.Conditions, time.Time{}); msg != "" {
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

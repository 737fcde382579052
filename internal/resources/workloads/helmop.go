package workloads

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/fleetform/terraform-provider-fleet/internal/compat"
	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

var helmOpAPI = framework.ObjectAPI[fleet.HelmOp]{GVR: fleet.HelmOps, Kind: fleet.KindHelmOp}

// helmOpBundleLabel names the HelmOp on its bundle.
const helmOpBundleLabel = "fleet.cattle.io/fleet-helm-name"

// helmOpResource is fleet_helmop on the generic object resource.
type helmOpResource = framework.ObjectResource[fleet.HelmOp, helmOpModel, *helmOpModel]

var _ resource.ResourceWithImportState = (*helmOpResource)(nil)

// NewHelmOpResource is fleet_helmop.
func NewHelmOpResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.HelmOp, helmOpModel]{
		TypeName: "fleet_helmop",
		API:      helmOpAPI,
		Schema:   helmOpSchema,
		Gates:    compat.GatesFor("fleet_helmop"),
		Hooks: framework.ObjectHooks[fleet.HelmOp, helmOpModel]{
			BeforeApply: helmOpBeforeApply,
			AfterApply:  helmOpAwaitApplied,
			AfterRead:   helmOpReadRelated,
			AfterDelete: helmOpAfterDelete,
		},
	})
}

func helmOpBeforeApply(ctx context.Context, c *kube.Client, req framework.ApplyRequest[helmOpModel]) diag.Diagnostics {
	prior := req.State
	if prior == nil {
		prior = &helmOpModel{}
	}
	name := req.Plan.Name.ValueString()
	stale, diags := syncCredentials(ctx, c, req.Config, req.Plan.Namespace.ValueString(),
		credentials("helm_credentials", name+helmOpCredentialsSuffix, req.Plan.HelmCredentials, prior.HelmCredentials,
			req.Plan.HelmSecretName, prior.HelmSecretName, req.State))
	req.Plan.staleSecrets = stale
	return diags
}

func helmOpAwaitApplied(ctx context.Context, c *kube.Client, plan *helmOpModel, applied *fleet.HelmOp, _ bool) (*fleet.HelmOp, diag.Diagnostics) {
	diags := deleteCredentialSecrets(ctx, c, applied.Namespace, plan.staleSecrets)
	if !plan.WaitForReady.ValueBool() {
		return applied, diags
	}
	current := applied
	diags.Append(awaitDeployed(ctx, fleet.KindHelmOp, applied.Namespace, applied.Name, func(ctx context.Context) (deployCheck, error) {
		op, err := helmOpAPI.Get(ctx, c, applied.Namespace, applied.Name)
		if err != nil {
			return deployCheck{}, err
		}
		current = op
		return helmOpCheck(ctx, c, op)
	})...)
	return current, diags
}

// helmOpCheck judges a HelmOp. The HelmOp has no observed generation, so the
// check first compares the HelmOp's spec with its Bundle's, which the HelmOp
// controller writes from it; then the Bundle, processed, must be ready, and
// the HelmOp's status agree.
func helmOpCheck(ctx context.Context, c *kube.Client, op *fleet.HelmOp) (deployCheck, error) {
	status := op.Status
	if status == nil {
		status = &fleet.HelmOpStatus{}
	}
	if msg := failedCondition(status.Conditions); msg != "" {
		return deployCheck{failed: msg}, nil
	}
	bundle, err := bundleAPI.Get(ctx, c, op.Namespace, op.Name)
	switch {
	case errors.Is(err, framework.ErrNotFound):
		return waitingFor("the Fleet HelmOp controller has not created the Bundle yet"), nil
	case err != nil:
		return deployCheck{}, err
	case bundle.Labels[helmOpBundleLabel] != op.Name:
		return deployCheck{failed: fmt.Sprintf("Bundle %s/%s exists and does not belong to the HelmOp", op.Namespace, op.Name)}, nil
	}
	current, err := helmOpBundleCurrent(op, bundle)
	if err != nil || !current {
		return waitingFor("the Fleet HelmOp controller has not updated Bundle %s yet", bundle.Name), err
	}
	if check := bundleCheck(bundle); !check.ready {
		return check, nil
	}
	return statusCheck(status.StatusBase), nil
}

// helmOpBundleCurrent reports whether the Bundle holds the HelmOp's spec.
// The HelmOp controller copies the spec into the Bundle but for: the fields
// only the HelmOp has (moved into helmOpOptions), the chart version (which it
// resolves), and the targets (which it names, and defaults to the group
// `default`). The comparison leaves those out and ignores zero values, which
// Fleet's Go types drop.
func helmOpBundleCurrent(op *fleet.HelmOp, b *fleet.Bundle) (bool, error) {
	raw, err := json.Marshal(op.Spec)
	if err != nil {
		return false, err
	}
	var want map[string]any
	if err := json.Unmarshal(raw, &want); err != nil {
		return false, err
	}
	have := map[string]any{}
	for k, v := range b.Spec {
		have[k] = v
	}
	for _, k := range []string{"labels", "pollingInterval", "helmSecretName", "insecureSkipTLSVerify", "targets"} {
		delete(want, k)
	}
	for _, k := range []string{"helmOpOptions", "resources", "contentsId", "valuesHash", "targetRestrictions", "targets"} {
		delete(have, k)
	}
	for _, spec := range []map[string]any{want, have} {
		if helm, ok := spec["helm"].(map[string]any); ok {
			delete(helm, "version")
		}
	}
	if !reflect.DeepEqual(withoutZeros(want), withoutZeros(have)) {
		return false, nil
	}
	return reflect.DeepEqual(withoutZeros(expectedBundleTargets(op.Spec.Targets)), withoutZeros(b.Spec["targets"])), nil
}

// expectedBundleTargets are the targets the HelmOp controller writes.
func expectedBundleTargets(targets []fleet.BundleTarget) any {
	if len(targets) == 0 {
		targets = []fleet.BundleTarget{{Name: "default", ClusterGroup: "default"}}
	}
	out := make([]fleet.BundleTarget, len(targets))
	for i, t := range targets {
		if t.Name == "" {
			t.Name = fmt.Sprintf("target%03d", i)
		}
		out[i] = t
	}
	raw, _ := json.Marshal(out)
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// withoutZeros drops false, 0, "", null and empty maps and lists, recursively.
func withoutZeros(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if e = withoutZeros(e); e != nil {
				out[k] = e
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withoutZeros(e)
		}
		return out
	case bool:
		if !v {
			return nil
		}
	case float64:
		if v == 0 {
			return nil
		}
	case string:
		if v == "" {
			return nil
		}
	}
	return v
}

// helmOpReadRelated notices a credentials Secret deleted out of band.
func helmOpReadRelated(ctx context.Context, c *kube.Client, m *helmOpModel, op *fleet.HelmOp) diag.Diagnostics {
	return forgetMissingCredentials(ctx, c, op.Namespace, op.Name+helmOpCredentialsSuffix, &m.HelmCredentials)
}

// helmOpAfterDelete deletes the provider's credentials Secret the HelmOp used.
func helmOpAfterDelete(ctx context.Context, c *kube.Client, state *helmOpModel) diag.Diagnostics {
	name := state.Name.ValueString() + helmOpCredentialsSuffix
	if state.HelmSecretName.ValueString() != name {
		return nil
	}
	return deleteCredentialSecrets(ctx, c, state.Namespace.ValueString(), []string{name})
}

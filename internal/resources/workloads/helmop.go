package workloads

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"

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

// helmOpType is the resource type, which owns the credentials Secret.
const helmOpType = "fleet_helmop"

// helmOpResource is fleet_helmop on the generic object resource.
type helmOpResource = framework.ObjectResource[fleet.HelmOp, helmOpModel, *helmOpModel]

var (
	_ resource.ResourceWithImportState = (*helmOpResource)(nil)
	_ resource.ResourceWithIdentity    = (*helmOpResource)(nil)
)

// NewHelmOpResource is fleet_helmop.
func NewHelmOpResource() resource.Resource {
	return framework.NewObjectResource(framework.ObjectResourceSpec[fleet.HelmOp, helmOpModel]{
		TypeName: helmOpType,
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
	name, namespace := req.Plan.Name.ValueString(), req.Plan.Namespace.ValueString()
	stale, diags := syncCredentials(ctx, c, req.Config, credentialsOwner(helmOpType, namespace, name), namespace,
		credentials("helm_credentials", name+helmOpCredentialsSuffix, req.Plan.HelmCredentials, prior.HelmCredentials,
			req.Plan.HelmSecretName, prior.HelmSecretName, req.State))
	req.Plan.staleSecrets = stale
	return diags
}

func helmOpAwaitApplied(ctx context.Context, c *kube.Client, plan *helmOpModel, applied *fleet.HelmOp, _ bool) (*fleet.HelmOp, diag.Diagnostics) {
	owner := credentialsOwner(helmOpType, applied.Namespace, applied.Name)
	diags := deleteCredentialSecrets(ctx, c, owner, applied.Namespace, plan.staleSecrets)
	diags.Append(tieCredentialSecrets(ctx, c, owner, fleet.KindHelmOp, applied.ObjectMeta, helmOpOwnedSecrets(plan))...)
	if !plan.WaitForReady.ValueBool() {
		return applied, diags
	}
	current, since := applied, framework.AppliedAt(applied.ManagedFields)
	diags.Append(awaitDeployed(ctx, fleet.KindHelmOp, applied.Namespace, applied.Name, func(ctx context.Context) (deployCheck, error) {
		op, err := helmOpAPI.Get(ctx, c, applied.Namespace, applied.Name)
		if err != nil {
			return deployCheck{}, err
		}
		current = op
		return helmOpCheck(ctx, c, op, since)
	})...)
	return current, diags
}

// helmOpCheck judges a HelmOp. The HelmOp has no observed generation: a
// failure the HelmOp controller reported since since (see reportedSince)
// ends the wait; then the check compares the HelmOp's spec with its
// Bundle's, which the HelmOp controller writes from it; then the Bundle,
// processed, must be ready, and the HelmOp's status agree.
func helmOpCheck(ctx context.Context, c *kube.Client, op *fleet.HelmOp, since time.Time) (deployCheck, error) {
	status := op.Status
	if status == nil {
		status = &fleet.HelmOpStatus{}
	}
	current, stale := failedCondition(status.Conditions, since)
	if current != "" {
		return deployCheck{failed: current}, nil
	}
	check, err := helmOpDeployed(ctx, c, op, status, since)
	return withStale(check, stale), err
}

// helmOpDeployed judges a HelmOp whose conditions report no current failure.
func helmOpDeployed(ctx context.Context, c *kube.Client, op *fleet.HelmOp, status *fleet.HelmOpStatus, since time.Time) (deployCheck, error) {
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
	return statusCheck(status.StatusBase, since), nil
}

// helmOpBundleCurrent reports whether the Bundle holds the HelmOp's spec.
// The HelmOp controller copies the spec into the Bundle but for: the fields
// only the HelmOp has (moved into helmOpOptions), the chart version (which it
// resolves), and the targets (which it names, defaults to the group
// `default`, and fills with the chart of the HelmOp). The comparison leaves
// those out and ignores zero values, which Fleet's Go types drop.
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
	return reflect.DeepEqual(withoutZeros(expectedBundleTargets(op.Spec)), withoutZeros(b.Spec["targets"])), nil
}

// expectedBundleTargets are the targets the HelmOp controller writes
// (calculateBundle and propagateHelmOpProperties of Fleet v0.16): named,
// and a target's `helm` completed with the HelmOp's chart, repo and version
// (as written in the HelmOp, not as resolved).
func expectedBundleTargets(spec fleet.HelmOpSpec) any {
	targets := spec.Targets
	if len(targets) == 0 {
		targets = []fleet.BundleTarget{{Name: "default", ClusterGroup: "default"}}
	}
	out := make([]fleet.BundleTarget, len(targets))
	for i, t := range targets {
		if t.Name == "" {
			t.Name = fmt.Sprintf("target%03d", i)
		}
		if t.Helm != nil && spec.Helm != nil {
			helm := *t.Helm
			helm.Repo = cmp.Or(helm.Repo, spec.Helm.Repo)
			helm.Chart = cmp.Or(helm.Chart, spec.Helm.Chart)
			helm.Version = cmp.Or(helm.Version, spec.Helm.Version)
			t.Helm = &helm
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
	return forgetMissingCredentials(ctx, c, credentialsOwner(helmOpType, op.Namespace, op.Name), op.Namespace, op.Name+helmOpCredentialsSuffix, &m.HelmCredentials)
}

// helmOpAfterDelete deletes the provider's credentials Secret the HelmOp
// used (also after a create that failed).
func helmOpAfterDelete(ctx context.Context, c *kube.Client, state *helmOpModel) diag.Diagnostics {
	namespace := state.Namespace.ValueString()
	owner := credentialsOwner(helmOpType, namespace, state.Name.ValueString())
	return deleteCredentialSecrets(ctx, c, owner, namespace, helmOpOwnedSecrets(state))
}

// helmOpOwnedSecrets names the provider's Secret that m refers to, if any.
func helmOpOwnedSecrets(m *helmOpModel) []string {
	if name := m.Name.ValueString() + helmOpCredentialsSuffix; m.HelmSecretName.ValueString() == name {
		return []string{name}
	}
	return nil
}

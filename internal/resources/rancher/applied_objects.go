package rancher

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// refuseForeignAgent stops a create from taking over a Rancher agent that
// another import (or another Rancher) installed: applying would re-point it.
func refuseForeignAgent(ctx context.Context, down *downstream.Cluster) error {
	ref := downstream.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: importAgentNamespace, Name: importAgentDeployment}
	client, _, err := down.Resource(ref)
	if err != nil {
		return err
	}
	live, err := client.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", ref, err)
	}
	if downstream.OwnFields(live) != nil {
		return nil // applied by this provider before (a re-create after a failed apply)
	}
	return fmt.Errorf("%s exists and was not applied by this provider: the cluster is imported into a Rancher already. "+
		"Remove Rancher's agent from it first (or import this resource).", ref)
}

// removeObjects deletes, newest first, the objects the provider created, and
// waits until they are gone (a namespace takes its contents with it).
func removeObjects(ctx context.Context, down *downstream.Cluster, objects []downstream.AppliedObject) diag.Diagnostics {
	var diags diag.Diagnostics
	var pending []downstream.ObjectRef
	for i := len(objects) - 1; i >= 0; i-- {
		if !objects[i].Created {
			continue
		}
		gone, err := down.Remove(ctx, objects[i].Ref)
		if err != nil {
			diags.AddError("Cannot remove Rancher's agent from the downstream cluster", err.Error())
			return diags
		}
		if !gone {
			pending = append(pending, objects[i].Ref)
		}
	}
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		var left []downstream.ObjectRef
		for _, ref := range pending {
			gone, err := down.Gone(ctx, ref)
			if err != nil {
				return false, err
			}
			if !gone {
				left = append(left, ref)
			}
		}
		pending = left
		return len(pending) == 0, nil
	})
	if err != nil {
		names := make([]string, len(pending))
		for i, ref := range pending {
			names[i] = ref.String()
		}
		diags.AddError("Rancher's agent was not removed from the downstream cluster",
			fmt.Sprintf("%v; still there: %s", err, strings.Join(names, "; ")))
	}
	return diags
}

func wasCreated(prior []downstream.AppliedObject, ref downstream.ObjectRef) bool {
	for _, p := range prior {
		if p.Ref == ref {
			return p.Created
		}
	}
	return false
}

// staleObjects returns the objects of prior that current lacks.
func staleObjects(prior, current []downstream.AppliedObject) []downstream.AppliedObject {
	var out []downstream.AppliedObject
	for _, p := range prior {
		found := false
		for _, c := range current {
			found = found || c.Ref == p.Ref
		}
		if !found {
			out = append(out, p)
		}
	}
	return out
}

func appliedObjectsValue(objects []downstream.AppliedObject) types.List {
	elems := make([]attr.Value, len(objects))
	for i, o := range objects {
		elems[i] = types.ObjectValueMust(appliedObjectType.AttrTypes, map[string]attr.Value{
			"api_version": types.StringValue(o.Ref.APIVersion), "kind": types.StringValue(o.Ref.Kind),
			"namespace": types.StringValue(o.Ref.Namespace), "name": types.StringValue(o.Ref.Name),
			"created": types.BoolValue(o.Created),
		})
	}
	return types.ListValueMust(appliedObjectType, elems)
}

// appliedFromState rebuilds the applied objects from applied_objects and the
// fields kept in private state.
func appliedFromState(ctx context.Context, m *agentModel, privateFields []byte, diags *diag.Diagnostics) []downstream.AppliedObject {
	if m.AppliedObjects.IsNull() || m.AppliedObjects.IsUnknown() {
		return nil
	}
	var elems []appliedObjectModel
	diags.Append(m.AppliedObjects.ElementsAs(ctx, &elems, false)...)
	fields := map[string]json.RawMessage{}
	if len(privateFields) > 0 {
		if err := json.Unmarshal(privateFields, &fields); err != nil {
			diags.AddWarning("Ignoring unreadable private state", err.Error())
		}
	}
	out := make([]downstream.AppliedObject, len(elems))
	for i, e := range elems {
		ref := downstream.ObjectRef{APIVersion: e.APIVersion.ValueString(), Kind: e.Kind.ValueString(), Namespace: e.Namespace.ValueString(), Name: e.Name.ValueString()}
		out[i] = downstream.AppliedObject{Ref: ref, Created: e.Created.ValueBool(), Fields: fields[ref.String()]}
	}
	return out
}

func saveAppliedFields(ctx context.Context, private privateSetter, objects []downstream.AppliedObject) diag.Diagnostics {
	fields := make(map[string]json.RawMessage, len(objects))
	for _, o := range objects {
		if len(o.Fields) > 0 {
			fields[o.Ref.String()] = o.Fields
		}
	}
	data, err := json.Marshal(fields)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Cannot record the applied fields", err.Error())
		return diags
	}
	return private.SetKey(ctx, appliedFieldsKey, data)
}

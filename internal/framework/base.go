package framework

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/providerdata"
)

// providerData extracts what the provider's Configure handed over. nil (the
// provider is not configured yet, as during validation) is fine.
func providerData(data any) (*providerdata.Data, diag.Diagnostics) {
	var diags diag.Diagnostics
	if data == nil {
		return nil, diags
	}
	d, ok := data.(*providerdata.Data)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerdata.Data, got %T: this is a bug in the provider", data))
	}
	return d, diags
}

// ResourceBase is embedded by every resource: it keeps the provider data and
// applies the provider's default namespace at plan time.
type ResourceBase struct {
	Data *providerdata.Data
}

func (b *ResourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	d, diags := providerData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	b.Data = d
}

// PlanDefaultNamespace sets a namespace left out of the configuration to the
// provider's default_namespace, and replaces the object when that moves it.
func (b *ResourceBase) PlanDefaultNamespace(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	// An unknown default_namespace leaves the plan's namespace unknown.
	if req.Plan.Raw.IsNull() || b.Data == nil || b.Data.DefaultNamespace == "" {
		return
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("namespace"), &configured)...)
	if !configured.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("namespace"), b.Data.DefaultNamespace)...)
	if req.State.Raw.IsNull() {
		return
	}
	var current types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("namespace"), &current)...)
	if current.ValueString() != b.Data.DefaultNamespace {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("namespace"))
	}
}

// AlreadyExists is the error of a Create that finds its object in place (or
// cannot tell): the provider never silently adopts an object it did not create.
func AlreadyExists(kind, namespace, name string, err error) diag.Diagnostic {
	if err != nil {
		return diag.NewErrorDiagnostic("Cannot check whether the "+kind+" exists", err.Error())
	}
	id := namespace + "/" + name
	if namespace == "" {
		id = name // cluster-scoped
	}
	return diag.NewErrorDiagnostic(kind+" already exists",
		fmt.Sprintf("%s %s exists already. To manage it with Terraform, import it: terraform import <address> %s", kind, id, id))
}

// CollectAPIWarnings returns a context whose API requests record the API
// server's warnings, and a function that appends them to diags as Terraform
// warnings naming the kind of object (see kube.CollectWarnings).
func CollectAPIWarnings(ctx context.Context, kind string) (context.Context, func(diags *diag.Diagnostics)) {
	ctx, messages := kube.CollectWarnings(ctx)
	return ctx, func(diags *diag.Diagnostics) {
		for _, m := range messages() {
			diags.AddWarning(fmt.Sprintf("The Kubernetes API server warns about the %s", kind), m)
		}
	}
}

package resources

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"

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

// resourceBase is embedded by every resource: it keeps the provider data and
// applies the provider's default namespace at plan time.
type resourceBase struct {
	data *providerdata.Data
}

func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	d, diags := providerData(req.ProviderData)
	resp.Diagnostics.Append(diags...)
	b.data = d
}

// planDefaultNamespace sets a namespace left out of the configuration to the
// provider's default_namespace, and replaces the object when that moves it.
func (b *resourceBase) planDefaultNamespace(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	// An unknown default_namespace leaves the plan's namespace unknown.
	if req.Plan.Raw.IsNull() || b.data == nil || b.data.DefaultNamespace == "" {
		return
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("namespace"), &configured)...)
	if !configured.IsNull() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("namespace"), b.data.DefaultNamespace)...)
	if req.State.Raw.IsNull() {
		return
	}
	var current types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("namespace"), &current)...)
	if current.ValueString() != b.data.DefaultNamespace {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("namespace"))
	}
}

// Waits that no timeouts block bounds otherwise.
const (
	defaultCreateTimeout = 2 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

// alreadyExists is the error of a Create that finds its object in place (or
// cannot tell): the provider never silently adopts an object it did not create.
func alreadyExists(kind, namespace, name string, err error) diag.Diagnostic {
	if err != nil {
		return diag.NewErrorDiagnostic("Cannot check whether the "+kind+" exists", err.Error())
	}
	return diag.NewErrorDiagnostic(kind+" already exists",
		fmt.Sprintf("%s %s/%s exists already. To manage it with Terraform, import it: terraform import <address> %s/%s",
			kind, namespace, name, namespace, name))
}

// typeMeta is the apiVersion and kind of a Fleet object.
func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: fleet.APIVersion, Kind: kind}
}

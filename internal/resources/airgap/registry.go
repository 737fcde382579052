package airgap

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

// fleet_registry manages one Secret of type kubernetes.io/dockerconfigjson:
// the Secret is the whole resource, so it has CRUD of its own rather than
// ObjectResource's (which manages Fleet objects).
//
// Besides the data, the provider writes one annotation (registryAnnotation)
// holding what the data cannot tell: the server's path, the mirrors, the
// version of password_wo, and an HMAC of the data it wrote, keyed with a
// random key it writes into the data. Read compares that HMAC with the live
// data, so an edit of the data made outside Terraform shows as drift
// (data_in_sync), also when the password is write-only and so cannot be
// compared. Neither the HMAC nor its key is in the Terraform state, and
// whoever reads only the Secret's metadata cannot test password guesses
// against the HMAC without the key.

type registryResource struct {
	framework.ResourceBase
	framework.WithTimeouts
	framework.WithIdentity
}

var (
	_ resource.ResourceWithImportState = (*registryResource)(nil)
	_ resource.ResourceWithIdentity    = (*registryResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*registryResource)(nil)
)

// NewRegistryResource is fleet_registry.
func NewRegistryResource() resource.Resource {
	return &registryResource{WithIdentity: framework.NamespacedIdentity("registry Secret")}
}

func (r *registryResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry"
}

func (r *registryResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportNamespaced(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "namespace", "name")
}

// ModifyPlan plans the namespace default and the values that follow from
// the configuration, so that references to them are known at plan time.
func (r *registryResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	r.PlanDefaultNamespace(ctx, req, resp)
	var server, name types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("server"), &server)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("image_prefix"), server)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret_name"), name)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("data_in_sync"), true)...)
	framework.SettleNoOpPlan(req, resp)
}

func (r *registryResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan registryModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, cancel, diags := r.CreateContext(ctx, plan.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	namespace, name := plan.Namespace.ValueString(), plan.Name.ValueString()
	core, err := r.Data.Client.Core()
	if err == nil {
		_, err = core.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	}
	if !apierrors.IsNotFound(err) {
		resp.Diagnostics.Append(framework.AlreadyExists("Secret", namespace, name, err))
		return
	}
	r.write(ctx, req.Config, &plan, &resp.State, &resp.Diagnostics)
}

func (r *registryResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	defer r.RecordIdentity(ctx, &resp.State, resp.Identity, &resp.Diagnostics)
	var plan registryModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	ctx, cancel, diags := r.UpdateContext(ctx, plan.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	r.write(ctx, req.Config, &plan, &resp.State, &resp.Diagnostics)
}

// write applies the whole Secret from the plan and the configuration's
// write-only password (present on every apply where it is configured).
func (r *registryResource) write(ctx context.Context, config tfsdk.Config, plan *registryModel, state framework.StateSetter, diags *diag.Diagnostics) {
	password := plan.Password
	if password.IsNull() {
		diags.Append(config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	}
	var mirrors []string
	diags.Append(plan.Mirrors.ElementsAs(ctx, &mirrors, false)...)
	meta, d := plan.ObjectMeta(ctx)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	data, err := withHMACKey(registrySecretData(plan.Server.ValueString(), plan.Username.ValueString(), password.ValueString(),
		plan.CABundle.ValueString(), plan.InsecureSkipTLSVerify.ValueBool()))
	if err != nil {
		diags.AddError("Cannot write the registry Secret", err.Error())
		return
	}
	record, err := json.Marshal(registryRecord{
		Server: plan.Server.ValueString(), Mirrors: mirrors,
		PasswordWOVersion: plan.PasswordWOVersion.ValueInt64Pointer(), DataHMAC: dataHMAC(data),
	})
	if err != nil {
		diags.AddError("Cannot write the registry Secret", err.Error())
		return
	}
	labels := map[string]string{framework.ManagedByLabel: framework.ManagedByValue}
	for k, v := range meta.Labels {
		labels[k] = v
	}
	// The owner annotation keeps the Secret apart from those the provider
	// writes for other resources (e.g. a GitRepo's <name>-git-credentials).
	annotations := map[string]string{registryAnnotation: string(record), framework.OwnerAnnotation: registryOwner(meta.Namespace, meta.Name).String()}
	for k, v := range meta.Annotations {
		annotations[k] = v
	}
	core, err := r.Data.Client.Core()
	if err != nil {
		diags.AddError("Cannot write the registry Secret", err.Error())
		return
	}
	secret, err := core.CoreV1().Secrets(meta.Namespace).Apply(ctx,
		corev1ac.Secret(meta.Name, meta.Namespace).WithType(corev1.SecretTypeDockerConfigJson).
			WithLabels(labels).WithAnnotations(annotations).WithData(data),
		metav1.ApplyOptions{FieldManager: framework.FieldManager, Force: true})
	if err != nil {
		// The error names the Secret, never its data.
		diags.AddError("Cannot write the registry Secret", fmt.Sprintf("apply Secret %s/%s: %v", meta.Namespace, meta.Name, err))
		return
	}
	plan.ID = types.StringValue(meta.Namespace + "/" + meta.Name)
	plan.Labels = framework.ManagedKeys(secret.Labels, plan.Labels, false)
	plan.Annotations = framework.ManagedKeys(secret.Annotations, plan.Annotations, false)
	plan.ImagePrefix, plan.SecretName, plan.DataInSync = plan.Server, plan.Name, types.BoolValue(true)
	diags.Append(state.Set(ctx, plan)...)
}

func (r *registryResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.RecordIdentity(ctx, &req.State, resp.Identity, &resp.Diagnostics)
	var state registryModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	core, err := r.Data.Client.Core()
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the registry Secret", err.Error())
		return
	}
	secret, err := core.CoreV1().Secrets(state.Namespace.ValueString()).Get(ctx, state.Name.ValueString(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the registry Secret", err.Error())
		return
	}
	if secret.Type != corev1.SecretTypeDockerConfigJson {
		resp.Diagnostics.AddError("Not a registry Secret", fmt.Sprintf("Secret %s/%s has type %s; fleet_registry manages "+
			"Secrets of type %s.", secret.Namespace, secret.Name, secret.Type, corev1.SecretTypeDockerConfigJson))
		return
	}
	resp.Diagnostics.Append(state.Flatten(secret, framework.WasImported(ctx, req.Private))...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(framework.ImportRead(ctx, resp.Private)...)
}

func (r *registryResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state registryModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	ctx, cancel, diags := r.DeleteContext(ctx, state.Timeouts)
	defer cancel()
	if resp.Diagnostics.Append(diags...); resp.Diagnostics.HasError() {
		return
	}
	namespace, name := state.Namespace.ValueString(), state.Name.ValueString()
	users, err := registrySecretUsers(ctx, r.Data.Client, namespace, name)
	if err != nil {
		resp.Diagnostics.AddError("Cannot check whether the registry Secret is in use", err.Error())
		return
	}
	if len(users) > 0 {
		resp.Diagnostics.AddError("Registry Secret in use",
			fmt.Sprintf("Secret %s/%s is still referenced by:\n  %s\nRemove the references first. Referencing "+
				"fleet_registry.secret_name instead of the name makes Terraform do that before destroying the registry.",
				namespace, name, strings.Join(users, "\n  ")))
		return
	}
	if err := framework.DeleteOwnedSecret(ctx, r.Data.Client, registryOwner(namespace, name), namespace, name); err != nil {
		resp.Diagnostics.AddError("Cannot delete the registry Secret", err.Error())
	}
}

// registryOwner is the fleet_registry a registry Secret belongs to: itself.
func registryOwner(namespace, name string) framework.SecretOwner {
	return framework.SecretOwner{Type: "fleet_registry", ID: namespace + "/" + name}
}

package airgap

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// fleet_registry manages one Secret of type kubernetes.io/dockerconfigjson:
// the Secret is the whole resource, so it has CRUD of its own rather than
// ObjectResource's (which manages Fleet objects).
//
// Besides the data, the provider writes one annotation (registryAnnotation)
// holding what the data cannot tell: the server's path, the mirrors, the
// version of password_wo, and the SHA-256 of the data it wrote. Read compares
// that hash with the live data, so an edit of the data made outside Terraform
// shows as drift (data_in_sync), also when the password is write-only and so
// cannot be compared. The hash lives in the Secret, readable only by those
// who can read the data anyway, and never in the Terraform state.

// registryAnnotation is the provider's own annotation on the Secret.
const registryAnnotation = "terraform-provider-fleet/registry"

// registryRecord is the JSON value of registryAnnotation.
type registryRecord struct {
	Server            string   `json:"server"`
	Mirrors           []string `json:"mirrors,omitempty"`
	PasswordWOVersion *int64   `json:"passwordWOVersion,omitempty"`
	DataSHA256        string   `json:"dataSHA256"`
}

// Data keys besides .dockerconfigjson: those Fleet reads from the Helm
// secret of a HelmOp or GitRepo (helmSecretName), so the same Secret lets
// Fleet pull charts from the registry.
const (
	registryCAKey       = "cacerts"
	registryInsecureKey = "insecureSkipVerify"
)

type registryModel struct {
	framework.ObjectMetaModel
	Server             types.String   `tfsdk:"server"`
	Mirrors            types.List     `tfsdk:"mirrors"`
	Username           types.String   `tfsdk:"username"`
	Password           types.String   `tfsdk:"password"`
	PasswordWO         types.String   `tfsdk:"password_wo"`
	PasswordWOVersion  types.Int64    `tfsdk:"password_wo_version"`
	CABundle           types.String   `tfsdk:"ca_bundle"`
	InsecureSkipVerify types.Bool     `tfsdk:"insecure_skip_verify"`
	ImagePrefix        types.String   `tfsdk:"image_prefix"`
	SecretName         types.String   `tfsdk:"secret_name"`
	DataInSync         types.Bool     `tfsdk:"data_in_sync"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

type registryResource struct {
	framework.ResourceBase
	framework.WithTimeouts
}

var (
	_ resource.ResourceWithImportState = (*registryResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*registryResource)(nil)
)

// NewRegistryResource is fleet_registry.
func NewRegistryResource() resource.Resource { return &registryResource{} }

func (r *registryResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry"
}

func (r *registryResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := framework.ObjectMetaAttributes("registry Secret")
	labels := attrs["labels"].(schema.MapAttribute)
	labels.Validators = append(labels.Validators, reservedKey{framework.ManagedByLabel, "the provider sets it to mark the Secrets it owns"})
	attrs["labels"] = labels
	annotations := attrs["annotations"].(schema.MapAttribute)
	annotations.Validators = append(annotations.Validators, reservedKey{registryAnnotation, "the provider keeps its records there"})
	attrs["annotations"] = annotations
	password := path.MatchRoot("password")
	passwordWO := path.MatchRoot("password_wo")
	for name, a := range map[string]schema.Attribute{
		"server": schema.StringAttribute{
			Required: true,
			Description: "The private registry as `host[:port]`, optionally followed by the path the mirrored images " +
				"live under (`registry.corp:5000/mirror`). No scheme: the registry speaks HTTPS.",
			Validators: []validator.String{validate.RegistryServer()},
		},
		"mirrors": schema.ListAttribute{
			Optional: true, ElementType: types.StringType,
			Description: "The public registries this one mirrors (e.g. `docker.io`, `ghcr.io`, `registry.k8s.io`; `*` for " +
				"all). Recorded for `fleet_registries_yaml`, which makes the nodes pull through the mirror.",
			Validators: []validator.List{listvalidator.ValueStringsAre(validate.MirroredRegistry()), listvalidator.UniqueValues()},
		},
		"username": schema.StringAttribute{
			Required: true, Description: "User name the fleet pulls with.",
			Validators: framework.NonEmptyString(),
		},
		"password": schema.StringAttribute{
			Optional: true, Sensitive: true,
			Description: "Password or token, kept (sensitive) in the state. Prefer `password_wo`. Exactly one of the two is set.",
			Validators:  append(framework.NonEmptyString(), stringvalidator.ExactlyOneOf(password, passwordWO)),
		},
		"password_wo": schema.StringAttribute{
			Optional: true, WriteOnly: true, Sensitive: true,
			Description: "Password or token, write-only: never in plan or state. Goes with `password_wo_version`.",
			Validators:  append(framework.NonEmptyString(), stringvalidator.AlsoRequires(path.MatchRoot("password_wo_version"))),
		},
		"password_wo_version": schema.Int64Attribute{
			Optional:    true,
			Description: "Version of `password_wo`: Terraform cannot see a write-only value change, so change this number to write a new password.",
			Validators:  []validator.Int64{int64validator.AlsoRequires(passwordWO)},
		},
		"ca_bundle": schema.StringAttribute{
			Optional: true,
			Description: "PEM CA certificates that signed the registry's certificate. Stored in the Secret's `cacerts` key, " +
				"where Fleet takes it for Helm charts; nodes need it too (see `fleet_registries_yaml.ca_file`).",
			Validators: []validator.String{validate.PEMCertificates()},
		},
		"insecure_skip_verify": schema.BoolAttribute{
			Optional:    true,
			Description: "Do not verify the registry's TLS certificate when Fleet pulls charts from it. Prefer `ca_bundle`.",
		},
		"image_prefix": schema.StringAttribute{
			Computed: true,
			Description: "What `fleet_cluster.private_repo_url` and Fleet's `systemDefaultRegistry` take: the server " +
				"with its path. Fleet then pulls `<image_prefix>/rancher/fleet-agent:<version>`.",
		},
		"secret_name": schema.StringAttribute{
			Computed: true,
			Description: "Name of the Secret, for `fleet_cluster.agent_pull_secrets` and the Helm secret of a HelmOp or " +
				"GitRepo (`helm_secret_name`). Referencing this attribute also makes Terraform destroy those first.",
		},
		"data_in_sync": schema.BoolAttribute{
			Computed: true,
			Description: "Whether the Secret's data is what the provider wrote. Editing the data outside Terraform makes " +
				"it false, which plans an update that writes it again.",
		},
	} {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{
		Description: "A private container registry the fleet pulls from, and the Secret of type " +
			"`kubernetes.io/dockerconfigjson` the provider creates for it. The Secret holds the credentials as " +
			"`.dockerconfigjson` (for image pulls) and as `username`, `password` and `cacerts` (read by Fleet from " +
			"a HelmOp's or GitRepo's Helm secret, for charts in the registry).\n\n" +
			"Fleet does not copy a Secret named in a cluster's `agent_pull_secrets` to the downstream cluster (Rancher " +
			"does): with standalone Fleet, create the registry in Fleet's namespace (`cattle-fleet-system`) and list " +
			"`secret_name` in the Fleet chart's `global.cattle.imagePullSecrets`, which Fleet copies to every agent, or " +
			"create the Secret downstream as well. Fleet's OCI bundle storage (`oci_registry_secret` of a GitRepo) " +
			"needs a Secret of its own type and cannot use this one.\n\n" +
			"Destroy refuses while a Cluster, GitRepo or HelmOp in the namespace still refers to the Secret, and " +
			"deletes only a Secret the provider created.",
		Attributes: attrs,
		Blocks:     map[string]schema.Block{"timeouts": r.TimeoutsBlock(ctx)},
	}
}

// reservedKey rejects a label or annotation key the provider writes itself.
type reservedKey struct{ key, why string }

func (v reservedKey) Description(context.Context) string { return "must not set " + v.key }

func (v reservedKey) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v reservedKey) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if _, ok := req.ConfigValue.Elements()[v.key]; ok {
		resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(v.key), "Reserved key", v.key+" is reserved: "+v.why+".")
	}
}

func (r *registryResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportNamespaced(ctx, req, resp, "namespace", "name")
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
	data := registrySecretData(plan.Server.ValueString(), plan.Username.ValueString(), password.ValueString(),
		plan.CABundle.ValueString(), plan.InsecureSkipVerify.ValueBool())
	record, err := json.Marshal(registryRecord{
		Server: plan.Server.ValueString(), Mirrors: mirrors,
		PasswordWOVersion: plan.PasswordWOVersion.ValueInt64Pointer(), DataSHA256: dataHash(data),
	})
	if err != nil {
		diags.AddError("Cannot write the registry Secret", err.Error())
		return
	}
	labels := map[string]string{framework.ManagedByLabel: framework.ManagedByValue}
	for k, v := range meta.Labels {
		labels[k] = v
	}
	annotations := map[string]string{registryAnnotation: string(record)}
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

// registrySecretData is the Secret's data.
func registrySecretData(server, username, password, caBundle string, insecure bool) map[string][]byte {
	host, _, _ := strings.Cut(server, "/")
	auth := base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
	// Marshalling a map of strings cannot fail.
	config, _ := json.Marshal(dockerConfig{Auths: map[string]dockerAuth{host: {Username: username, Password: password, Auth: auth}}})
	data := map[string][]byte{
		corev1.DockerConfigJsonKey:  config,
		corev1.BasicAuthUsernameKey: []byte(username),
		corev1.BasicAuthPasswordKey: []byte(password),
	}
	if caBundle != "" {
		data[registryCAKey] = []byte(caBundle)
	}
	if insecure {
		data[registryInsecureKey] = []byte("true")
	}
	return data
}

type dockerConfig struct {
	Auths map[string]dockerAuth `json:"auths"`
}

type dockerAuth struct {
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	Auth     string `json:"auth,omitempty"`
}

// credentials returns the user name and password, from the fields or else
// from auth (base64 of user:password).
func (a dockerAuth) credentials() (string, string) {
	if a.Username != "" || a.Password != "" {
		return a.Username, a.Password
	}
	decoded, _ := base64.StdEncoding.DecodeString(a.Auth)
	user, password, _ := strings.Cut(string(decoded), ":")
	return user, password
}

// dataHash is the SHA-256 of the data, keys sorted, each key and value
// followed by a NUL.
func dataHash(data map[string][]byte) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k + "\x00"))
		h.Write(append(data[k], 0))
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (r *registryResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
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

// Flatten fills the model from the live Secret. The password enters the
// state only where it came from: `password`, not `password_wo`.
func (m *registryModel) Flatten(secret *corev1.Secret, imported bool) diag.Diagnostics {
	var diags diag.Diagnostics
	var record registryRecord
	recorded := json.Unmarshal([]byte(secret.Annotations[registryAnnotation]), &record) == nil && record.Server != ""
	var config dockerConfig
	_ = json.Unmarshal(secret.Data[corev1.DockerConfigJsonKey], &config) // unreadable: no credentials, shown as drift

	switch {
	case recorded:
		m.Server = types.StringValue(record.Server)
	case imported && len(config.Auths) == 1:
		for host := range config.Auths {
			m.Server = types.StringValue(host)
		}
	case imported:
		diags.AddError("Cannot import the registry Secret", fmt.Sprintf("Secret %s/%s was not written by this provider "+
			"and its .dockerconfigjson does not name exactly one registry.", secret.Namespace, secret.Name))
		return diags
	}
	if recorded || imported {
		m.Mirrors = stringListLike(record.Mirrors, m.Mirrors)
	}
	if imported {
		m.PasswordWOVersion = types.Int64PointerValue(record.PasswordWOVersion)
	}
	host, _, _ := strings.Cut(m.Server.ValueString(), "/")
	user, password := config.Auths[host].credentials()
	m.Username = flex.StringOrNull(user)
	// Written from `password` (or, not imported, configured so): read it back.
	if (imported && recorded && record.PasswordWOVersion == nil) || (!imported && !m.Password.IsNull()) {
		m.Password = flex.StringOrNull(password)
	}
	m.CABundle = flex.StringOrNull(string(secret.Data[registryCAKey]))
	insecure := string(secret.Data[registryInsecureKey]) == "true"
	if insecure || !m.InsecureSkipVerify.IsNull() {
		m.InsecureSkipVerify = types.BoolValue(insecure)
	}
	m.DataInSync = types.BoolValue(recorded && record.DataSHA256 == dataHash(secret.Data))

	delete(secret.Annotations, registryAnnotation)
	m.ObjectMetaModel.SetFromServer(secret.ObjectMeta, imported)
	m.ImagePrefix, m.SecretName = m.Server, m.Name
	return diags
}

// stringListLike returns s as a list, or null when it is empty and the prior
// value was null (or after an import).
func stringListLike(s []string, prior types.List) types.List {
	if len(s) == 0 && (prior.IsNull() || prior.IsUnknown()) {
		return types.ListNull(types.StringType)
	}
	return flex.StringListValue(s)
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
	if err := framework.DeleteOwnedSecret(ctx, r.Data.Client, namespace, name); err != nil {
		resp.Diagnostics.AddError("Cannot delete the registry Secret", err.Error())
	}
}

// registrySecretUsers lists the Fleet objects of the namespace that refer to
// the Secret, as "Kind name (field)".
func registrySecretUsers(ctx context.Context, c *kube.Client, namespace, name string) ([]string, error) {
	var users []string
	clusters, err := framework.ObjectAPI[fleet.Cluster]{GVR: fleet.Clusters, Kind: fleet.KindCluster}.List(ctx, c, namespace, "")
	if err != nil {
		return nil, err
	}
	for _, cl := range clusters {
		if cl.Spec.AgentPullSecrets != nil && slices.Contains(*cl.Spec.AgentPullSecrets, corev1.LocalObjectReference{Name: name}) {
			users = append(users, "Cluster "+cl.Name+" (agentPullSecrets)")
		}
	}
	gitRepos, err := framework.ObjectAPI[fleet.GitRepo]{GVR: fleet.GitRepos, Kind: fleet.KindGitRepo}.List(ctx, c, namespace, "")
	if err != nil {
		return nil, err
	}
	for _, g := range gitRepos {
		for field, value := range map[string]string{"helmSecretName": g.Spec.HelmSecretName,
			"helmSecretNameForPaths": g.Spec.HelmSecretNameForPaths, "ociRegistrySecret": g.Spec.OCIRegistrySecret} {
			if value == name {
				users = append(users, "GitRepo "+g.Name+" ("+field+")")
			}
		}
	}
	helmOps, err := framework.ObjectAPI[fleet.HelmOp]{GVR: fleet.HelmOps, Kind: fleet.KindHelmOp}.List(ctx, c, namespace, "")
	if apierrors.IsNotFound(err) {
		return users, nil // a Fleet without HelmOps
	}
	if err != nil {
		return nil, err
	}
	for _, h := range helmOps {
		if h.Spec.HelmSecretName == name {
			users = append(users, "HelmOp "+h.Name+" (helmSecretName)")
		}
	}
	slices.Sort(users)
	return users, nil
}

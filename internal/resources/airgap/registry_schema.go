package airgap

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

type registryModel struct {
	framework.ObjectMetaModel
	Server                types.String   `tfsdk:"server"`
	Mirrors               types.List     `tfsdk:"mirrors"`
	Username              types.String   `tfsdk:"username"`
	Password              types.String   `tfsdk:"password"`
	PasswordWO            types.String   `tfsdk:"password_wo"`
	PasswordWOVersion     types.Int64    `tfsdk:"password_wo_version"`
	CABundle              types.String   `tfsdk:"ca_bundle"`
	InsecureSkipTLSVerify types.Bool     `tfsdk:"insecure_skip_tls_verify"`
	ImagePrefix           types.String   `tfsdk:"image_prefix"`
	SecretName            types.String   `tfsdk:"secret_name"`
	DataInSync            types.Bool     `tfsdk:"data_in_sync"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

// UpgradeState keeps the value of the attribute renamed in the one vocabulary
// (see CHANGELOG), from a state of schema version 0.
func (r *registryResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return framework.RenameUpgraders(map[string]string{"insecure_skip_verify": "insecure_skip_tls_verify"})
}

func (r *registryResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := framework.ObjectMetaAttributes("registry Secret")
	labels := attrs["labels"].(schema.MapAttribute)
	labels.Validators = append(labels.Validators, reservedKey{framework.ManagedByLabel, "the provider sets it to mark the Secrets it owns"})
	attrs["labels"] = labels
	annotations := attrs["annotations"].(schema.MapAttribute)
	annotations.Validators = append(annotations.Validators, reservedKey{registryAnnotation, "the provider keeps its records there"},
		reservedKey{framework.OwnerAnnotation, "the provider names the resource owning the Secret there"})
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
		"insecure_skip_tls_verify": schema.BoolAttribute{
			Optional: true,
			Description: "Do not verify the registry's TLS certificate when Fleet pulls charts from it (stored in the " +
				"Secret's `insecureSkipVerify` key, which Fleet reads from a Helm secret). Prefer `ca_bundle`.",
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
		Version: framework.RenamedSchemaVersion,
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

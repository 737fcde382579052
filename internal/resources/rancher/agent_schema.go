package rancher

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// agentModel is the state of fleet_rancher_agent.
type agentModel struct {
	ID              types.String                `tfsdk:"id"`
	Cluster         types.String                `tfsdk:"cluster"`
	Kubernetes      *downstream.KubernetesModel `tfsdk:"kubernetes"`
	RancherCA       types.String                `tfsdk:"rancher_ca"`
	RancherInsecure types.Bool                  `tfsdk:"rancher_insecure"`
	ClusterID       types.String                `tfsdk:"cluster_id"`
	AppliedObjects  types.List                  `tfsdk:"applied_objects"`
	DriftedObjects  types.List                  `tfsdk:"drifted_objects"`
	DownstreamUID   types.String                `tfsdk:"downstream_uid"`
	Timeouts        timeouts.Value              `tfsdk:"timeouts"`
}

// UpgradeState keeps the value of the attribute renamed in the one vocabulary
// (see CHANGELOG), from a state of schema version 0.
func (r *agentResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return framework.RenameUpgraders(map[string]string{"insecure": "rancher_insecure"})
}

func (r *agentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	kubernetes := downstream.KubernetesAttribute("Connection to the cluster being imported; refresh uses it to detect drift and destroy to remove the agent.",
		"the Secret `<name>-rancher-agent-kubeconfig` in the cluster's workspace upstream, next to the kubeconfig Secret Rancher keeps for the cluster")
	resp.Schema = schema.Schema{
		Version: framework.RenamedSchemaVersion,
		Description: "Imports a cluster into Rancher: downloads the import manifest of a `fleet_rancher_cluster` from Rancher, " +
			"applies every object of it to the cluster with server-side apply, and waits until Rancher reports the cluster " +
			"ready, failing early with Rancher's message when it reports an error. Objects changed or deleted out of band " +
			"show as drift (`drifted_objects`) and apply restores them; changes Rancher itself makes when it redeploys its " +
			"agent are not drift. A `kubernetes` that reaches another cluster (`downstream_uid`) imports that one anew (a " +
			"replacement), so the first one does not keep a connected agent.\n\n" +
			"**What the state holds.** The objects' kinds and names, never the manifest, which carries the registration token. " +
			"The credentials of `kubernetes` but `kubeconfig_wo` are kept in state, marked sensitive (`token`, `client_key`, " +
			"`proxy_url`, `exec.args`, `exec.env`): refresh and destroy connect with them, as Terraform gives them only the " +
			"state, so for short-lived tokens use `kubernetes.exec` or `kubeconfig_wo`. When they are rejected or the cluster " +
			"does not answer, refresh keeps the prior state with a warning and plans an update (`drifted_objects`), which uses " +
			"the configuration's. `kubeconfig_wo` is never in state: the provider keeps it upstream, bound to the resource by " +
			"its SHA-256 in private state (a Secret changed outside Terraform is not used), with inline credentials only " +
			"(no `exec`, auth provider or file paths).\n\n" +
			"**Destroy** deletes the objects the apply created (not those that existed before) and the stored kubeconfig. " +
			"What Rancher itself installs once the cluster is connected stays in the downstream cluster, as it does when " +
			"Rancher's own import is undone without Rancher: the fleet-agent Rancher deploys in `cattle-fleet-system`, " +
			"rancher-webhook and its webhook configurations (which may then reject requests until removed), and the " +
			"`cattle-impersonation-system` namespace; remove them by hand, or with Rancher's cleanup script. Objects of an " +
			"apply that Terraform was killed during are recorded as found in place, and destroy leaves them too.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The `cluster` imported; also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster": schema.StringAttribute{
				Required: true,
				Description: "The Rancher cluster to import as, `namespace/name`: the `id` of a `fleet_rancher_cluster`. " +
					"Changing it imports the cluster anew.",
				Validators:    []validator.String{validate.NamespacedName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kubernetes": kubernetes,
			"rancher_ca": schema.StringAttribute{
				Optional: true,
				Description: "PEM CA certificate(s) that Rancher's HTTPS certificate chains to, for downloading the manifest " +
					"(Rancher's `cacerts` setting, for a private CA). Unset: the system's CAs.",
				Validators: []validator.String{validate.PEMCertificates(), stringvalidator.ConflictsWith(path.MatchRoot("rancher_insecure"))},
			},
			"rancher_insecure": schema.BoolAttribute{
				Optional: true,
				Description: "Download the manifest without verifying Rancher's certificate (`curl --insecure`); `kubernetes.insecure` " +
					"is the downstream API's. For tests only; prefer " +
					"`rancher_ca`: whoever can intercept the download can serve any manifest, which the provider applies with the " +
					"connection's rights. A plan with it set warns.",
				Validators: []validator.Bool{validate.InsecureWarning("Rancher, which serves the import manifest")},
			},
			"cluster_id": schema.StringAttribute{
				Computed: true, Description: "Rancher's ID of the cluster (`c-m-...`).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"applied_objects": downstream.AppliedObjectsAttribute("the import manifest"),
			"drifted_objects": downstream.DriftedObjectsAttribute("apps/v1 Deployment cattle-system/cattle-cluster-agent: changed by kubectl-edit"),
			"downstream_uid":  downstream.UIDAttribute(),
		},
		Blocks: map[string]schema.Block{"timeouts": r.TimeoutsBlock(ctx)},
	}
}

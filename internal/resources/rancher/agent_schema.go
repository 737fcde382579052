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
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// agentModel is the state of fleet_rancher_agent.
type agentModel struct {
	ID             types.String                `tfsdk:"id"`
	Cluster        types.String                `tfsdk:"cluster"`
	Kubernetes     *downstream.KubernetesModel `tfsdk:"kubernetes"`
	RancherCA      types.String                `tfsdk:"rancher_ca"`
	Insecure       types.Bool                  `tfsdk:"insecure"`
	ClusterID      types.String                `tfsdk:"cluster_id"`
	AppliedObjects types.List                  `tfsdk:"applied_objects"`
	DriftedObjects types.List                  `tfsdk:"drifted_objects"`
	Timeouts       timeouts.Value              `tfsdk:"timeouts"`
}

func (r *agentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	kubernetes := downstream.KubernetesAttribute("Connection to the cluster being imported; refresh uses it to detect drift and destroy to remove the agent.",
		"the Secret `<name>-rancher-agent-kubeconfig` in the cluster's workspace upstream, next to the kubeconfig Secret Rancher keeps for the cluster")
	resp.Schema = schema.Schema{
		Description: "Imports a cluster into Rancher: downloads the import manifest of a `fleet_rancher_cluster` from Rancher, " +
			"applies every object of it to the cluster with server-side apply, and waits until Rancher reports the cluster " +
			"ready, failing early with Rancher's message when it reports an error. Objects changed or deleted out of band " +
			"show as drift (`drifted_objects`) and apply restores them; changes Rancher itself makes when it redeploys its " +
			"agent are not drift. Destroy deletes the objects the apply created (not those that existed before). The state " +
			"holds the objects' kinds and names, never the manifest, which carries the registration token.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The `cluster` imported; also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster": schema.StringAttribute{
				Required: true,
				Description: "The Rancher cluster to import as, `fleet_workspace_name/name`: the `id` of a `fleet_rancher_cluster`. " +
					"Changing it imports the cluster anew.",
				Validators:    []validator.String{validate.NamespacedName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kubernetes": kubernetes,
			"rancher_ca": schema.StringAttribute{
				Optional: true,
				Description: "PEM CA certificate(s) that Rancher's HTTPS certificate chains to, for downloading the manifest " +
					"(Rancher's `cacerts` setting, for a private CA). Unset: the system's CAs.",
				Validators: []validator.String{validate.PEMCertificates(), stringvalidator.ConflictsWith(path.MatchRoot("insecure"))},
			},
			"insecure": schema.BoolAttribute{
				Optional:    true,
				Description: "Download the manifest without verifying Rancher's certificate (`curl --insecure`). For tests only; prefer `rancher_ca`.",
			},
			"cluster_id": schema.StringAttribute{
				Computed: true, Description: "Rancher's ID of the cluster (`c-m-...`).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"applied_objects": downstream.AppliedObjectsAttribute("the import manifest"),
			"drifted_objects": downstream.DriftedObjectsAttribute("apps/v1 Deployment cattle-system/cattle-cluster-agent: changed by kubectl-edit"),
		},
		Blocks: map[string]schema.Block{"timeouts": r.TimeoutsBlock(ctx)},
	}
}

package kubesphere

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// agentModel is the state of fleet_kubesphere_agent.
type agentModel struct {
	ID                     types.String                `tfsdk:"id"`
	Cluster                types.String                `tfsdk:"cluster"`
	Kubernetes             *downstream.KubernetesModel `tfsdk:"kubernetes"`
	ProxyServer            types.String                `tfsdk:"proxy_server"`
	Image                  types.String                `tfsdk:"image"`
	Replicas               types.Int64                 `tfsdk:"replicas"`
	Resources              *agentspec.ResourcesModel   `tfsdk:"resources"`
	Tolerations            []agentspec.TolerationModel `tfsdk:"tolerations"`
	AgentProxy             *agentspec.ProxyModel       `tfsdk:"agent_proxy"`
	KubeSphereMajorVersion types.Int64                 `tfsdk:"kubesphere_major_version"`
	AppliedObjects         types.List                  `tfsdk:"applied_objects"`
	DriftedObjects         types.List                  `tfsdk:"drifted_objects"`
	Timeouts               timeouts.Value              `tfsdk:"timeouts"`
}

func (r *agentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	kept := func(a schema.StringAttribute) schema.StringAttribute {
		a.Optional, a.Computed = true, true
		a.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
		return a
	}
	resp.Schema = schema.Schema{
		Description: "Joins a member cluster to a KubeSphere host over the agent connection, as `kubectl create -f agent.yaml` " +
			"would. It renders the agent manifest of a `fleet_kubesphere_cluster` from its token as KubeSphere renders it (3.x: the " +
			"Deployment `kubesphere-system/cluster-agent`; 4.x: also the Namespace, the ServiceAccount `tower` and its " +
			"cluster-admin binding), applies it to the member with server-side apply, and waits until Tower reports the agent " +
			"connected (`AgentAvailable`) and KubeSphere the cluster `Ready`, failing early with KubeSphere's message. Before " +
			"anything is applied it checks the published proxy address and, on 3.x, that the member's jwtSecret is the host's. " +
			"Objects changed or deleted out of band show as drift (`drifted_objects`) and apply restores them. Destroy deletes " +
			"the objects the apply created. The state holds the objects' kinds and names, never the manifest, which carries the token.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The `cluster` joined; also the import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"cluster": schema.StringAttribute{
				Required:      true,
				Description:   "The KubeSphere cluster to join as: the `name` (or `id`) of a `fleet_kubesphere_cluster`. Changing it joins the member anew.",
				Validators:    []validator.String{validate.ClusterName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"kubernetes": downstream.KubernetesAttribute("Connection to the member cluster; refresh uses it to detect drift and destroy to remove the agent.",
				"the Secret `<cluster>-kubesphere-agent-kubeconfig` in `kubesphere-system` on the host"),
			"proxy_server": kept(schema.StringAttribute{
				Description: "Address of the host's Tower proxy that the agent dials, `http(s)://host:port`. Defaults to the address " +
					"the host publishes: `multicluster.proxyPublishAddress` of its `kubesphere-config`, else the LoadBalancer address " +
					"of the Tower Service. Set it when the member reaches Tower by another address (a NodePort, a firewall's NAT).",
				Validators: []validator.String{validate.HTTPHostPort()},
			}),
			"image": kept(schema.StringAttribute{
				Description: "Agent image. Defaults to the host's `multicluster.agentImage`, else `kubesphere/tower:v0.2.1`.",
				Validators:  []validator.String{validate.ImageReference()},
			}),
			"replicas": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(1),
				Description: "Agent replicas; Tower accepts several connections of one cluster. Defaults to `1`.",
				Validators:  []validator.Int64{int64validator.Between(1, 10)},
			},
			"resources": agentspec.ResourcesAttribute(),
			"tolerations": agentspec.TolerationsAttribute("Tolerations of the agent pods, e.g. to run on tainted edge nodes.",
				listvalidator.SizeAtLeast(1)),
			"agent_proxy": agentspec.ProxyAttribute("The agent's proxy, when the member reaches Tower only through one: `HTTP_PROXY`, " +
				"`HTTPS_PROXY`, `NO_PROXY` and their lower-case twins in the agent's environment (the agent dials Tower with Go's " +
				"`http.ProxyFromEnvironment`)."),
			"kubesphere_major_version": schema.Int64Attribute{
				Computed: true, Description: "The host's KubeSphere major version (3 or 4), which decides the manifest.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"applied_objects": downstream.AppliedObjectsAttribute("the agent manifest"),
			"drifted_objects": downstream.DriftedObjectsAttribute("apps/v1 Deployment kubesphere-system/cluster-agent: changed by kubectl-edit"),
		},
		Blocks: map[string]schema.Block{"timeouts": r.TimeoutsBlock(ctx)},
	}
}

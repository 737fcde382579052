package kubesphere

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/semantic"
	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/yamlmap"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

func clusterSchema(context.Context) schema.Schema {
	computedString := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: description}
	}
	computedInt := func(description string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, Description: description}
	}
	return schema.Schema{
		Description: "A KubeSphere member cluster joined over the agent connection. It is a `cluster.kubesphere.io/v1alpha1` Cluster " +
			"with `connection.type = proxy` and `joinFederation = true` (Tower serves no proxy cluster without it). The provider " +
			"connects to the host cluster. Create waits until Tower has initialized the cluster (its ports, the Service " +
			"`mc-<name>`, the endpoints) and generated the agent's token; `fleet_kubesphere_agent` then installs the agent in " +
			"the member. Neither the token nor the kubeconfig Tower issues once the agent connects ever enters the state. " +
			"Destroy waits for KubeSphere's finalizer.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true, Description: "The cluster's name; also its import ID.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Required: true,
				Description: "Name of the member cluster in KubeSphere, also the agent's `--name` and the Service `mc-<name>`. " +
					"Changing it replaces the cluster.",
				Validators:    []validator.String{validate.ClusterName()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"labels": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				Description: "Labels of the cluster, e.g. `cluster.kubesphere.io/group` = `production`. Only the keys set here are managed.",
				Validators:  []validator.Map{validate.LabelMap()},
			},
			"annotations": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				Description: "Annotations of the cluster. Only the keys set here are managed; set the description with `description`.",
				Validators: []validator.Map{validate.AnnotationMap(),
					mapvalidator.KeysAre(stringvalidator.NoneOf(ks.DescriptionAnnotation))},
			},
			"cluster_provider": framework.OptionalString("Who provides the cluster, as the console shows it (`spec.provider`), e.g. `Alibaba Cloud`."),
			"description": framework.OptionalString("Description of the cluster in the console (annotation `" +
				ks.DescriptionAnnotation + "`)."),
			"external_kube_api_enabled": framework.FalseByDefault("Have Tower publish the member's Kubernetes API through a " +
				"LoadBalancer Service (`spec.externalKubeAPIEnabled`); `external_kubernetes_api_endpoint` then reads its address."),
			"ks_core_values": schema.StringAttribute{
				Optional: true, CustomType: yamlmap.Type{},
				PlanModifiers: []planmodifier.String{framework.KeepStateSpelling(semantic.Same[yamlmap.Meaning])},
				Description: "KubeSphere 4.x only: Helm values (YAML) of the ks-core release the host installs in the member once " +
					"the agent connected (`spec.config`, the console's \"Cluster Configuration\"). KubeSphere overrides the role " +
					"and the jwtSecret itself. Formatting never shows as a change.",
			},
			"kubernetes_api_server_port": computedInt("Port Tower serves the member's Kubernetes API on, through the agent's tunnel (6000-7000)."),
			"kubesphere_api_server_port": computedInt("Port Tower serves the member's KubeSphere API on (the Kubernetes port + 10000)."),
			"kubernetes_api_endpoint":    computedString("`https://<ClusterIP of mc-<name>>:6443`, where the host reaches the member's Kubernetes API."),
			"kubesphere_api_endpoint":    computedString("`http://<ClusterIP of mc-<name>>:80`, where the host reaches the member's KubeSphere API."),
			"external_kubernetes_api_endpoint": computedString("With `external_kube_api_enabled`, the member's Kubernetes API " +
				"on the LoadBalancer's address; empty until the load balancer has one."),
			"ready": schema.BoolAttribute{Computed: true, Description: "Whether KubeSphere reports the cluster Ready. False until " +
				"`fleet_kubesphere_agent` installed the agent and the host reached the member through it."},
			"conditions": schema.ListNestedAttribute{
				Computed: true,
				Description: "KubeSphere's conditions of the cluster, as of the last refresh: `Initialized` and `AgentAvailable` " +
					"(Tower), `Federated` (3.x), `KSCoreReady` (4.x) and `Ready`, with their messages.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"type":    computedString("Condition type, e.g. `Ready`."),
					"status":  computedString("`True`, `False` or `Unknown`."),
					"reason":  computedString("Machine-readable reason, often empty."),
					"message": computedString("KubeSphere's message, e.g. `Cluster is available now`."),
				}},
			},
			"kubernetes_version": computedString("Kubernetes version of the member, once KubeSphere reached it."),
			"kubesphere_version": computedString("KubeSphere version of the member, once KubeSphere reached it."),
			"uid":                computedString("UID of the member's kube-system Namespace: KubeSphere's identity of the cluster."),
		},
	}
}

package kubesphere

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/customtypes/yamlmap"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/framework/flex"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
	"github.com/fleetform/terraform-provider-fleet/internal/validate"
)

// clusterAPI reads and writes the cluster-scoped Cluster ("" namespace).
var clusterAPI = framework.ObjectAPI[ks.Cluster]{GVR: ks.Clusters, Kind: "KubeSphere cluster"}

// clusterModel is the state of fleet_kubesphere_cluster. The object is
// cluster-scoped, so the model has no namespace; Meta returns a copy of the
// fields ObjectResource reads.
type clusterModel struct {
	ID                            types.String   `tfsdk:"id"`
	Name                          types.String   `tfsdk:"name"`
	Labels                        types.Map      `tfsdk:"labels"`
	Annotations                   types.Map      `tfsdk:"annotations"`
	Provider                      types.String   `tfsdk:"cluster_provider"`
	Description                   types.String   `tfsdk:"description"`
	ExternalKubeAPIEnabled        types.Bool     `tfsdk:"external_kube_api_enabled"`
	KSCoreValues                  yamlmap.Value  `tfsdk:"ks_core_values"`
	KubernetesAPIServerPort       types.Int64    `tfsdk:"kubernetes_api_server_port"`
	KubeSphereAPIServerPort       types.Int64    `tfsdk:"kubesphere_api_server_port"`
	KubernetesAPIEndpoint         types.String   `tfsdk:"kubernetes_api_endpoint"`
	KubeSphereAPIEndpoint         types.String   `tfsdk:"kubesphere_api_endpoint"`
	ExternalKubernetesAPIEndpoint types.String   `tfsdk:"external_kubernetes_api_endpoint"`
	Ready                         types.Bool     `tfsdk:"ready"`
	Conditions                    types.List     `tfsdk:"conditions"`
	KubernetesVersion             types.String   `tfsdk:"kubernetes_version"`
	KubeSphereVersion             types.String   `tfsdk:"kubesphere_version"`
	UID                           types.String   `tfsdk:"uid"`
	Timeouts                      timeouts.Value `tfsdk:"timeouts"`
}

// conditionType is the element type of conditions.
var conditionType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"type": types.StringType, "status": types.StringType, "reason": types.StringType, "message": types.StringType,
}}

func (m *clusterModel) Meta() *framework.ObjectMetaModel {
	return &framework.ObjectMetaModel{ID: m.ID, Name: m.Name, Namespace: types.StringValue(""), Labels: m.Labels, Annotations: m.Annotations}
}

func (m *clusterModel) TimeoutsValue() timeouts.Value { return m.Timeouts }

// Expand builds the Cluster with the proxy connection. Only what the
// configuration manages is sent: the token, ports, endpoints and
// kubeconfig belong to Tower, which writes them with full updates.
func (m *clusterModel) Expand(ctx context.Context) (*ks.Cluster, diag.Diagnostics) {
	meta, diags := m.Meta().ObjectMeta(ctx)
	if !m.Description.IsNull() {
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		meta.Annotations[ks.DescriptionAnnotation] = m.Description.ValueString()
	}
	c := &ks.Cluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: ks.ClusterVersion.String(), Kind: ks.KindCluster},
		ObjectMeta: meta,
		Spec: ks.ClusterSpec{
			JoinFederation:         true,
			Provider:               m.Provider.ValueString(),
			ExternalKubeAPIEnabled: flex.BoolPtr(m.ExternalKubeAPIEnabled),
			Connection:             ks.Connection{Type: ks.ConnectionTypeProxy},
		},
	}
	if !m.KSCoreValues.IsNull() && !m.KSCoreValues.IsUnknown() {
		c.Spec.Config = []byte(m.KSCoreValues.ValueString())
	}
	return c, diags
}

// Flatten fills the model from the Cluster. Optional attributes are read as
// the server holds them; ObjectResource keeps null what the configuration
// leaves unset. The kubeconfig and token Tower writes are never read.
func (m *clusterModel) Flatten(c *ks.Cluster, imported bool) {
	m.ID, m.Name = types.StringValue(c.Name), types.StringValue(c.Name)
	m.Labels = framework.ManagedKeys(c.Labels, m.Labels, imported)
	annotations := map[string]string{}
	for k, v := range c.Annotations {
		annotations[k] = v
	}
	for _, k := range append([]string{ks.DescriptionAnnotation}, ks.ControllerAnnotations...) {
		delete(annotations, k) // an attribute of its own, or the controller's
	}
	m.Annotations = framework.ManagedKeys(annotations, m.Annotations, imported)
	m.Description = flex.StringOrNull(c.Annotations[ks.DescriptionAnnotation])
	m.Provider = flex.StringOrNull(c.Spec.Provider)
	m.ExternalKubeAPIEnabled = flex.BoolValue(c.Spec.ExternalKubeAPIEnabled)
	m.KSCoreValues = yamlmap.NewNull()
	if len(c.Spec.Config) > 0 {
		m.KSCoreValues = yamlmap.NewValue(string(c.Spec.Config))
	}
	conn := c.Spec.Connection
	m.KubernetesAPIServerPort = types.Int64Value(int64(conn.KubernetesAPIServerPort))
	m.KubeSphereAPIServerPort = types.Int64Value(int64(conn.KubeSphereAPIServerPort))
	m.KubernetesAPIEndpoint = types.StringValue(conn.KubernetesAPIEndpoint)
	m.KubeSphereAPIEndpoint = types.StringValue(conn.KubeSphereAPIEndpoint)
	m.ExternalKubernetesAPIEndpoint = types.StringValue(conn.ExternalKubernetesAPIEndpoint)
	status := c.Status
	if status == nil {
		status = &ks.ClusterStatus{}
	}
	m.Ready = types.BoolValue(status.IsTrue(ks.ConditionReady))
	conditions := make([]attr.Value, 0, len(status.Conditions))
	for _, cond := range status.Conditions {
		conditions = append(conditions, types.ObjectValueMust(conditionType.AttrTypes, map[string]attr.Value{
			"type": types.StringValue(cond.Type), "status": types.StringValue(cond.Status),
			"reason": types.StringValue(cond.Reason), "message": types.StringValue(cond.Message),
		}))
	}
	m.Conditions = types.ListValueMust(conditionType, conditions)
	m.KubernetesVersion = types.StringValue(status.KubernetesVersion)
	m.KubeSphereVersion = types.StringValue(status.KubeSphereVersion)
	m.UID = types.StringValue(status.UID)
}

// clusterResource is ObjectResource for a cluster-scoped object.
type clusterResource struct {
	*framework.ObjectResource[ks.Cluster, clusterModel, *clusterModel]
}

var (
	_ resource.ResourceWithImportState = clusterResource{}
	_ resource.ResourceWithIdentity    = clusterResource{}
)

// NewClusterResource is fleet_kubesphere_cluster.
func NewClusterResource() resource.Resource {
	return clusterResource{framework.NewObjectResource(framework.ObjectResourceSpec[ks.Cluster, clusterModel]{
		TypeName: "fleet_kubesphere_cluster",
		API:      clusterAPI,
		Schema:   clusterSchema,
		Identity: framework.WithIdentity{{Name: "name", Description: "Name of the KubeSphere Cluster."}},
		Hooks:    framework.ObjectHooks[ks.Cluster, clusterModel]{AfterApply: awaitTowerInitialized},
	})}
}

// ModifyPlan leaves out ObjectResource's default namespace: the object has none.
func (r clusterResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	framework.SettleNoOpPlan(req, resp)
}

func (r clusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	framework.ImportByName(ctx, r.ImportID(ctx, req, &resp.Diagnostics), resp, "name", validate.CheckClusterName)
}

// awaitTowerInitialized waits on create until Tower has initialized the
// cluster (ports, Service mc-<name>, endpoints) and a token is there for
// the agent. After every apply, it refuses ks_core_values that a 3.x CRD
// dropped.
func awaitTowerInitialized(ctx context.Context, c *kube.Client, plan *clusterModel, applied *ks.Cluster, creating bool) (*ks.Cluster, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !plan.KSCoreValues.IsNull() && len(applied.Spec.Config) == 0 {
		diags.AddAttributeError(path.Root("ks_core_values"), "This host keeps no ks-core values",
			"The Cluster CRD of this host has no spec.config: it is KubeSphere 3.x, where members install KubeSphere themselves. Remove ks_core_values.")
	}
	if !creating {
		return applied, diags
	}
	current := applied
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := clusterAPI.Get(ctx, c, "", applied.Name)
		if err != nil {
			return false, err
		}
		current = cluster
		return cluster.Status.IsTrue(ks.ConditionInitialized) && cluster.Spec.Connection.Token != "", nil
	})
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError(fmt.Sprintf("Tower has not initialized KubeSphere cluster %s", applied.Name),
			"The cluster was created, but before the create timeout Tower did not report it Initialized with an agent token. "+
				"Is Tower running on this host (KubeSphere 3.x: the tower Deployment in kubesphere-system; 4.x: the extension "+
				"\"KubeSphere Multi-Cluster Agent Connection\")?")
	case err != nil:
		diags.AddError("Cannot read the KubeSphere cluster", err.Error())
	}
	return current, diags
}

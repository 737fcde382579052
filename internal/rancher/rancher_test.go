package rancher

import (
	"encoding/json"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// TestClusterMatchesRancherCRD checks every JSON name the provider writes or
// reads against Rancher's real provisioning.cattle.io Cluster CRD (v2.15):
// a fully set Cluster must only use fields the CRD's schema declares.
func TestClusterMatchesRancherCRD(t *testing.T) {
	data, err := os.ReadFile("../testenv/testdata/rancher/provisioning.cattle.io_clusters.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string
				Schema struct {
					OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(data, &crd); err != nil {
		t.Fatal(err)
	}
	if len(crd.Spec.Versions) != 1 || crd.Spec.Versions[0].Name != ProvisioningVersion.Version {
		t.Fatalf("unexpected CRD versions %+v", crd.Spec.Versions)
	}
	seconds := int64(30)
	cust := &AgentDeploymentCustomization{
		AppendTolerations: []corev1.Toleration{{Key: "k", Operator: corev1.TolerationOpExists, Value: "v", Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds}},
		OverrideAffinity: &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{
			NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "a", Operator: "In", Values: []string{"b"}}}}}}}},
		OverrideResourceRequirements: &ResourceRequirements{
			Limits:   map[string]intstr.IntOrString{"cpu": intstr.FromString("1")},
			Requests: map[string]intstr.IntOrString{"memory": intstr.FromString("1Gi")},
		},
	}
	cluster := Cluster{
		Spec:   ClusterSpec{AgentEnvVars: []corev1.EnvVar{{Name: "A", Value: "b"}}, ClusterAgentDeploymentCustomization: cust, FleetAgentDeploymentCustomization: cust},
		Status: &ClusterStatus{ClusterName: "c-m-x", Conditions: []Condition{{Type: "Ready", Status: "True", LastUpdateTime: "t", Reason: "r", Message: "m"}}},
	}
	raw, err := json.Marshal(cluster)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		t.Fatal(err)
	}
	delete(obj, "metadata")
	checkAgainstSchema(t, "", obj, crd.Spec.Versions[0].Schema.OpenAPIV3Schema)
}

// checkAgainstSchema fails for every key of value the schema does not declare.
func checkAgainstSchema(t *testing.T, at string, value any, schema map[string]any) {
	t.Helper()
	switch v := value.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		extra, _ := schema["additionalProperties"].(map[string]any)
		for k, child := range v {
			sub, ok := props[k].(map[string]any)
			if !ok && extra != nil {
				sub, ok = extra, true
			}
			if !ok {
				t.Errorf("%s.%s is not in Rancher's CRD", at, k)
				continue
			}
			checkAgainstSchema(t, at+"."+k, child, sub)
		}
	case []any:
		items, _ := schema["items"].(map[string]any)
		for _, child := range v {
			checkAgainstSchema(t, at+"[]", child, items)
		}
	default:
		if typ, _ := schema["type"].(string); typ == "object" || typ == "array" {
			t.Errorf("%s is a %s in Rancher's CRD, not %T", at, typ, v)
		}
	}
}

package agent

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/release"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/helmchart"
	"github.com/fleetform/terraform-provider-fleet/internal/resources/agentspec"
)

func TestAgentManagedValues(t *testing.T) {
	m := agentModel{
		Values:                types.StringValue("agent:\n  replicas: 2\nglobal:\n  cattle:\n    other: x\n"),
		APIServerURL:          types.StringValue("https://fleet.example.com"),
		ClientID:              types.StringValue("id-1"),
		AgentTLSMode:          types.StringNull(),
		SystemDefaultRegistry: types.StringValue("registry.corp:5000"),
		AgentProxy: &agentspec.ProxyModel{
			HTTPProxy: types.StringValue("http://plain:3128"), HTTPSProxy: types.StringValue("http://secure:3128"),
			NoProxy: types.StringValue(".svc"),
		},
	}
	got, err := m.managedValues()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"agent":        map[string]any{"replicas": 2},
		"global":       map[string]any{"cattle": map[string]any{"other": "x", "systemDefaultRegistry": "registry.corp:5000"}},
		"apiServerURL": "https://fleet.example.com", "clientID": "id-1",
		// The chart's one proxy is the HTTPS one, which reaches the management cluster.
		"proxy": "http://secure:3128", "noProxy": ".svc",
	}
	if !helmchart.SameValues(got, want) {
		t.Fatalf("managed values\n got %v\nwant %v", got, want)
	}

	// The token's values are not in state: the drift check leaves them out,
	// and a release with them matches the state that installed it.
	reg := agentRegistration{Token: "secret", TokenName: "t", ClusterNamespace: "ns", SystemRegistrationNamespace: "sys"}
	release := chartValues(got, reg.values())
	if helmchart.SameValues(release, got) || !helmchart.SameValues(helmchart.WithoutPaths(release, registrationValuePaths), got) {
		t.Fatal("the drift check must compare all but the token's values")
	}
	// An import reads back only what `values` had set.
	if user := userValues(release); !helmchart.SameValues(user, map[string]any{"agent": map[string]any{"replicas": 2}, "global": map[string]any{"cattle": map[string]any{"other": "x"}}}) {
		t.Fatalf("user values: %v", user)
	}
}

func TestParseRegistrationHidesValues(t *testing.T) {
	if _, err := parseRegistration("token: s3cret\n: [broken"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("want an error without the token, got %v", err)
	}
	if _, err := parseRegistration("token: s3cret\n"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("incomplete values: want an error without the token, got %v", err)
	}
	reg, err := parseRegistration("apiServerURL: https://x\ntoken: s\ntokenName: n\nclusterNamespace: c\nsystemRegistrationNamespace: s\n")
	if err != nil || reg.Token != "s" || reg.APIServerURL != "https://x" {
		t.Fatalf("%+v %v", reg, err)
	}
}

// applied returns managedFields saying manager applied the spec fields.
func applied(manager string, fields ...string) metav1.ManagedFieldsEntry {
	spec := map[string]any{}
	for _, f := range fields {
		spec["f:"+f] = map[string]any{}
	}
	raw, _ := json.Marshal(map[string]any{"f:spec": spec})
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: metav1.ManagedFieldsOperationApply, FieldsV1: &metav1.FieldsV1{Raw: raw}}
}

func TestAgentClusterFields(t *testing.T) {
	proxy := &agentspec.ProxyModel{HTTPProxy: types.StringNull(), HTTPSProxy: types.StringValue("http://p:3128"), NoProxy: types.StringValue(".svc")}
	cluster := func(env []corev1.EnvVar, managed ...metav1.ManagedFieldsEntry) *fleet.Cluster {
		c := &fleet.Cluster{Spec: fleet.ClusterSpec{ClientID: "id", AgentEnvVars: env}}
		c.Name, c.Namespace, c.ManagedFields = "edge", "ws", managed
		return c
	}
	logLevel := []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "debug"}}

	t.Run("keeps others' variables", func(t *testing.T) {
		spec, err := agentClusterFields(cluster(logLevel), "id", false, proxy, false)
		if err != nil {
			t.Fatal(err)
		}
		if spec.ClientID != "" {
			t.Error("a client ID the resource did not generate must not be applied")
		}
		if !sameEnv(spec.AgentEnvVars, append(logLevel, proxy.EnvVars()...)) {
			t.Errorf("env %v", spec.AgentEnvVars)
		}
	})
	t.Run("fleet_cluster without the proxy", func(t *testing.T) {
		_, err := agentClusterFields(cluster(logLevel, applied(framework.FieldManager, "agentEnvVars")), "id", false, proxy, false)
		if err == nil || !strings.Contains(err.Error(), "set agent_proxy on that fleet_cluster too") {
			t.Fatalf("want a conflict, got %v", err)
		}
	})
	t.Run("fleet_cluster with the same proxy", func(t *testing.T) {
		env := agentspec.AgentEnv(map[string]string{"LOG_LEVEL": "debug"}, proxy)
		spec, err := agentClusterFields(cluster(env, applied(framework.FieldManager, "agentEnvVars")), "id", false, proxy, false)
		if err != nil {
			t.Fatal(err)
		}
		// Exactly fleet_cluster's list: the two managers share it.
		if !slicesEqual(spec.AgentEnvVars, env) {
			t.Errorf("env %v, want %v", spec.AgentEnvVars, env)
		}
	})
	t.Run("owned client ID and a removed proxy", func(t *testing.T) {
		env := agentspec.AgentEnv(map[string]string{"LOG_LEVEL": "debug"}, proxy)
		spec, err := agentClusterFields(cluster(env, applied(agentFieldManager, "clientID", "agentEnvVars")), "id", false, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		if spec.ClientID != "id" || !slicesEqual(spec.AgentEnvVars, logLevel) {
			t.Errorf("must keep owning the client ID and the other variables: %+v", spec)
		}
	})
	t.Run("pull secret", func(t *testing.T) {
		c := cluster(nil, applied(framework.FieldManager, "agentPullSecrets"))
		c.Spec.AgentPullSecrets = &[]corev1.LocalObjectReference{{Name: "global"}}
		if _, err := agentClusterFields(c, "id", false, nil, true); err == nil || !strings.Contains(err.Error(), agentPullSecretName) {
			t.Fatalf("want a conflict naming the Secret, got %v", err)
		}
		c.ManagedFields = nil
		spec, err := agentClusterFields(c, "id", false, nil, true)
		if err != nil || len(spec.AgentPullSecrets) != 2 {
			t.Fatalf("%+v %v", spec.AgentPullSecrets, err)
		}
	})
}

func slicesEqual(a, b []corev1.EnvVar) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPullSecretRenderer(t *testing.T) {
	in := bytes.NewBufferString(`---
# Source: fleet-agent/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: fleet-agent
---
# Source: fleet-agent/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: fleet-agent
spec:
  template:
    spec:
      containers:
      - name: fleet-agent
        image: rancher/fleet-agent:v0.16.0
`)
	out, err := pullSecretRenderer{}.Run(in)
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if strings.Count(s, "imagePullSecrets") != 1 || !strings.Contains(s, "- name: "+agentPullSecretName) || !strings.Contains(s, "kind: ConfigMap") {
		t.Fatalf("rendered:\n%s", s)
	}
}

// TestOddReleaseRecords: a release record without info or chart metadata
// (hand-edited or truncated storage Secret) is read without a panic, and
// never matches the state.
func TestOddReleaseRecords(t *testing.T) {
	m := agentModel{Values: types.StringNull(), ChartVersion: types.StringValue("0.16.0")}
	for name, rel := range map[string]*release.Release{
		"empty":       {},
		"no chart":    {Info: &release.Info{Status: release.StatusDeployed}},
		"no metadata": {Info: &release.Info{Status: release.StatusDeployed}, Chart: &chart.Chart{}},
	} {
		t.Run(name, func(t *testing.T) {
			m.setRelease(rel)
			if rel.Info == nil && m.ReleaseStatus.ValueString() != release.StatusUnknown.String() {
				t.Errorf("release_status %q without info", m.ReleaseStatus.ValueString())
			}
			if m.releaseMatches(rel) {
				t.Error("an odd release matches the state")
			}
		})
	}
	pending := helmchart.PendingError(&release.Release{Info: &release.Info{Status: release.StatusPendingUpgrade}}, agentReleaseName, agentNamespace).Error()
	if !strings.Contains(pending, "is pending-upgrade") || !strings.Contains(pending, "helm -n cattle-fleet-system rollback fleet-agent") {
		t.Errorf("pending error: %s", pending)
	}
}

// TestChartChanges names what only the chart carries, which Fleet's
// adopted agent ignores; the proxy and pull secret reach it through the
// Cluster.
func TestChartChanges(t *testing.T) {
	base := func() *agentModel {
		return &agentModel{
			Values: types.StringValue("agent:\n  replicas: 1\n"), Chart: &agentChartModel{
				ChartSourceModel: agentspec.ChartSourceModel{Repository: types.StringNull(), Version: types.StringNull(), Path: types.StringValue("/c"),
					Username: types.StringNull(), PasswordWOVersion: types.Int64Null()},
				ChartName: types.StringValue("fleet-agent"),
			},
			APIServerURL: types.StringValue("https://a"), APIServerCA: types.StringValue("ca"),
			AgentTLSMode: types.StringNull(), SystemDefaultRegistry: types.StringNull(),
		}
	}
	state, plan := base(), base()
	plan.Values = types.StringValue(`{"agent": {"replicas": 1}}`) // the same values, spelt otherwise
	plan.AgentProxy = &agentspec.ProxyModel{HTTPSProxy: types.StringValue("http://p:3128")}
	plan.Chart.Username, plan.Chart.PasswordWOVersion = types.StringValue("u"), types.Int64Value(2) // how to reach it
	if changed := chartChanges(state, plan); len(changed) != 0 {
		t.Fatalf("chartChanges = %v, want none", changed)
	}
	plan.Values = types.StringValue("debug: true\n")
	plan.Chart.Version = types.StringValue("0.16.1")
	plan.SystemDefaultRegistry = types.StringValue("registry.corp")
	if got, want := strings.Join(chartChanges(state, plan), ","), "values,chart,system_default_registry"; got != want {
		t.Fatalf("chartChanges = %s, want %s", got, want)
	}
}

// TestRegistrationWithoutTokenName: Fleet before v0.16 writes no tokenName
// into a registration token's values, and its agent chart does not know it:
// such values are accepted, and the chart gets no tokenName.
func TestRegistrationWithoutTokenName(t *testing.T) {
	reg, err := parseRegistration("apiServerURL: https://x\ntoken: s\nclusterNamespace: c\nsystemRegistrationNamespace: s\n")
	if err != nil {
		t.Fatalf("values of Fleet v0.15: %v", err)
	}
	if _, has := reg.values()["tokenName"]; has {
		t.Fatalf("chart values name a token Fleet did not: %v", reg.values()["tokenName"])
	}
	reg.TokenName = "edge-token"
	if got := reg.values()["tokenName"]; got != "edge-token" {
		t.Fatalf("values of Fleet v0.16: tokenName %v", got)
	}
}

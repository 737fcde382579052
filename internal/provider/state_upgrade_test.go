package provider_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestRenamedAttributesStateUpgrade: a state written before the one
// vocabulary (schema version 0) keeps the values of renamed attributes
// under their new names. Without the upgrade they would be dropped: an
// update planned for each, and for fleet_rancher_cluster a null namespace,
// which forces replacement and would destroy the Rancher cluster.
func TestRenamedAttributesStateUpgrade(t *testing.T) {
	ctx := context.Background()
	server, err := acctest.ProtoV6ProviderFactories["fleet"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		prior map[string]any
		want  []*tftypes.AttributePath
		value []any
	}{
		"fleet_rancher_cluster": {
			prior: map[string]any{"id": "edge-ws/edge-1", "name": "edge-1", "fleet_workspace_name": "edge-ws", "cluster_id": "c-m-abcd1234"},
			want:  []*tftypes.AttributePath{tftypes.NewAttributePath().WithAttributeName("namespace"), tftypes.NewAttributePath().WithAttributeName("cluster_id")},
			value: []any{"edge-ws", "c-m-abcd1234"},
		},
		"fleet_registry": {
			prior: map[string]any{"id": "fleet-default/corp", "name": "corp", "namespace": "fleet-default", "insecure_skip_verify": true},
			want:  []*tftypes.AttributePath{tftypes.NewAttributePath().WithAttributeName("insecure_skip_tls_verify")},
			value: []any{true},
		},
		"fleet_rancher_agent": {
			prior: map[string]any{"id": "fleet-default/edge-1", "cluster": "fleet-default/edge-1", "insecure": true},
			want:  []*tftypes.AttributePath{tftypes.NewAttributePath().WithAttributeName("rancher_insecure")},
			value: []any{true},
		},
		"fleet_agent": {
			prior: map[string]any{"id": "fleet-default/edge-1", "cluster": "fleet-default/edge-1", "chart": map[string]any{"repository": "https://charts.corp", "name": "fleet-agent-custom"}},
			want:  []*tftypes.AttributePath{tftypes.NewAttributePath().WithAttributeName("chart").WithAttributeName("chart"), tftypes.NewAttributePath().WithAttributeName("chart").WithAttributeName("repository")},
			value: []any{"fleet-agent-custom", "https://charts.corp"},
		},
	}
	for typeName, tc := range cases {
		t.Run(typeName, func(t *testing.T) {
			s := schemas.ResourceSchemas[typeName]
			if s == nil || s.Version != 1 {
				t.Fatalf("schema of %s: %+v, want version 1", typeName, s)
			}
			prior, _ := json.Marshal(tc.prior)
			resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName, Version: 0, RawState: &tfprotov6.RawState{JSON: prior}})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range resp.Diagnostics {
				t.Errorf("%s: %s", d.Summary, d.Detail)
			}
			if resp.UpgradedState == nil {
				t.Fatal("no upgraded state")
			}
			v, err := resp.UpgradedState.Unmarshal(s.ValueType())
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range tc.want {
				got, _, err := tftypes.WalkAttributePath(v, p)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				gotValue := got.(tftypes.Value)
				var ok bool
				switch want := tc.value[i].(type) {
				case string:
					var s string
					ok = gotValue.As(&s) == nil && s == want
				case bool:
					var b bool
					ok = gotValue.As(&b) == nil && b == want
				}
				if !ok {
					t.Errorf("%s = %s, want %v", p, gotValue, tc.value[i])
				}
			}
		})
	}
}

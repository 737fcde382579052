package rancher_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
)

// TestRancherClusterStateUpgrade: a state written before the rename (schema
// version 0, fleet_workspace_name) comes back with the workspace as
// namespace. Without the upgrade the namespace would be null, and the plan
// (namespace forces replacement) would destroy the Rancher cluster.
func TestRancherClusterStateUpgrade(t *testing.T) {
	ctx := context.Background()
	server, err := acctest.ProtoV6ProviderFactories["fleet"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := schemas.ResourceSchemas["fleet_rancher_cluster"]
	if s.Version != 1 {
		t.Fatalf("schema version %d, want 1", s.Version)
	}
	prior, _ := json.Marshal(map[string]any{
		"id": "edge-ws/edge-1", "name": "edge-1", "fleet_workspace_name": "edge-ws", "labels": map[string]string{"env": "prod"},
		"cluster_id": "c-m-abcd1234", "ready": true,
	})
	resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "fleet_rancher_cluster", Version: 0, RawState: &tfprotov6.RawState{JSON: prior},
	})
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
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"namespace": "edge-ws", "name": "edge-1", "cluster_id": "c-m-abcd1234"} {
		var got string
		if err := attrs[name].As(&got); err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", name, got, err, want)
		}
	}
}

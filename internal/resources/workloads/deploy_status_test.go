package workloads

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
)

func TestStatusCheck(t *testing.T) {
	ready := fleet.Condition{Type: "Ready", Status: "True"}
	cases := map[string]struct {
		status        fleet.StatusBase
		ready         bool
		failed, waits string
	}{
		"all ready": {status: fleet.StatusBase{ReadyClusters: 2, DesiredReadyClusters: 2,
			Summary: fleet.BundleSummary{Ready: 3, DesiredReady: 3}, Conditions: []fleet.Condition{ready}}, ready: true},
		"no cluster": {status: fleet.StatusBase{Conditions: []fleet.Condition{ready}}, waits: "no cluster is targeted"},
		"one of two": {status: fleet.StatusBase{ReadyClusters: 1, DesiredReadyClusters: 2,
			Summary:    fleet.BundleSummary{Ready: 1, NotReady: 1, DesiredReady: 2},
			Conditions: []fleet.Condition{{Type: "Ready", Status: "False", Message: "NotReady(1) [Bundle x]"}}},
			waits: "1 of 2 cluster(s) ready: NotReady(1) [Bundle x]"},
		"err applied": {status: fleet.StatusBase{DesiredReadyClusters: 1,
			Summary: fleet.BundleSummary{ErrApplied: 1, DesiredReady: 1, NonReadyResources: []fleet.NonReadyResource{
				{Name: "apps-web", State: "ErrApplied", Message: "error parsing manifest"}}}},
			failed: "1 deployment(s) failed to apply: apps-web: error parsing manifest"},
		"stalled": {status: fleet.StatusBase{Conditions: []fleet.Condition{{Type: "Stalled", Status: "True", Message: "clone failed"}}},
			failed: "clone failed"},
		"ready error": {status: fleet.StatusBase{Conditions: []fleet.Condition{{Type: "Ready", Status: "False", Reason: "Error", Message: "targeting error"}}},
			failed: "targeting error"},
		// Fleet's not-ready message carries no Error reason: not a failure.
		"ready false": {status: fleet.StatusBase{DesiredReadyClusters: 1, Summary: fleet.BundleSummary{DesiredReady: 1, WaitApplied: 1},
			Conditions: []fleet.Condition{{Type: "Ready", Status: "False", Message: "WaitApplied(1)"}}}, waits: "0 of 1"},
	}
	for name, c := range cases {
		got := statusCheck(c.status, time.Time{})
		if got.ready != c.ready || got.failed != c.failed || !strings.Contains(got.waiting, c.waits) {
			t.Errorf("%s: got %+v", name, got)
		}
	}
}

func TestBundleCheck(t *testing.T) {
	b := &fleet.Bundle{}
	b.Name, b.Generation = "apps-web", 2
	b.Status.ObservedGeneration = 1
	if c := bundleCheck(b); c.ready || !strings.Contains(c.waiting, "not processed Bundle apps-web") {
		t.Errorf("old generation: %+v", c)
	}
	b.Status.ObservedGeneration = 2
	b.Status.Summary = fleet.BundleSummary{DesiredReady: 2, Ready: 1}
	if c := bundleCheck(b); c.ready || !strings.Contains(c.waiting, "ready on 1 of 2") {
		t.Errorf("half ready: %+v", c)
	}
	b.Status.Conditions = []fleet.Condition{{Type: "Ready", Status: "False", Reason: "Error", Message: "invalid manifest"}}
	if c := bundleCheck(b); c.failed != "Bundle apps-web: invalid manifest" {
		t.Errorf("error: %+v", c)
	}
	b.Status.Conditions = nil
	b.Status.Summary = fleet.BundleSummary{DesiredReady: 2, Ready: 2}
	if c := bundleCheck(b); !c.ready {
		t.Errorf("ready: %+v", c)
	}
}

// TestHelmOpBundleCurrent compares a HelmOp with the Bundle Fleet's HelmOp
// controller writes from it, as Fleet v0.16 writes it.
func TestHelmOpBundleCurrent(t *testing.T) {
	op := &fleet.HelmOp{Spec: fleet.HelmOpSpec{
		BundleDeploymentOptions: fleet.BundleDeploymentOptions{
			DefaultNamespace: "web",
			Helm:             &fleet.HelmOptions{Chart: "web", Repo: "https://charts", Version: "^1.0", Values: json.RawMessage(`{"a":1}`), Atomic: new(bool)},
			KeepResources:    new(bool),
		},
		TargetCustomizationMode: "FirstMatch",
		HelmSecretName:          "creds",
		Labels:                  map[string]string{"app": "web"},
	}}
	bundleSpec := func(s string) *fleet.Bundle {
		b := &fleet.Bundle{}
		if err := json.Unmarshal([]byte(s), &b.Spec); err != nil {
			t.Fatal(err)
		}
		return b
	}
	current := bundleSpec(`{"defaultNamespace":"web","helm":{"chart":"web","repo":"https://charts","version":"1.0.3","values":{"a":1}},
		"targetCustomizationMode":"FirstMatch","targets":[{"name":"default","clusterGroup":"default"}],
		"helmOpOptions":{"helmOpSecretName":"creds"}}`)
	if ok, err := helmOpBundleCurrent(op, current); !ok || err != nil {
		t.Errorf("current bundle not recognised: %v", err)
	}
	stale := bundleSpec(`{"defaultNamespace":"web","helm":{"chart":"web","repo":"https://charts","values":{"a":2}},
		"targets":[{"name":"default","clusterGroup":"default"}]}`)
	if ok, _ := helmOpBundleCurrent(op, stale); ok {
		t.Error("old values taken as current")
	}
	op.Spec.Targets = []fleet.BundleTarget{{ClusterGroup: "prod"}}
	if ok, _ := helmOpBundleCurrent(op, current); ok {
		t.Error("old targets taken as current")
	}
	current.Spec["targets"] = []any{map[string]any{"name": "target000", "clusterGroup": "prod"}}
	if ok, _ := helmOpBundleCurrent(op, current); !ok {
		t.Error("named target not recognised")
	}
}

// TestCredentialsChanges checks when a credentials Secret is written and
// when it is stale.
func TestCredentialsChanges(t *testing.T) {
	v1 := &helmCredentialsModel{Username: types.StringValue("u"), CredentialsWOVersion: types.Int64Value(1)}
	v2 := &helmCredentialsModel{Username: types.StringValue("u"), CredentialsWOVersion: types.Int64Value(2)}
	same := &helmCredentialsModel{Username: types.StringValue("u"), CredentialsWOVersion: types.Int64Value(1)}
	const name = "x-helmop-credentials"
	ref, other, none := types.StringValue(name), types.StringValue("mine"), types.StringNull()
	state := &helmOpModel{}
	cases := map[string]struct {
		o            ownedCredentials
		write, stale bool
	}{
		"create":          {credentials("h", name, v1, nil, ref, none, (*helmOpModel)(nil)), true, false},
		"unchanged":       {credentials("h", name, same, v1, ref, ref, state), false, false},
		"new version":     {credentials("h", name, v2, v1, ref, ref, state), true, false},
		"added":           {credentials("h", name, v1, nil, ref, other, state), true, false},
		"removed":         {credentials("h", name, nil, v1, other, ref, state), false, true},
		"imported":        {credentials[helmCredentialsModel]("h", name, nil, nil, ref, ref, state), false, false},
		"never used":      {credentials[helmCredentialsModel]("h", name, nil, nil, other, other, state), false, false},
		"create, orphan?": {credentials[helmCredentialsModel]("h", name, nil, nil, none, none, (*helmOpModel)(nil)), false, true},
		"create, own ref": {credentials[helmCredentialsModel]("h", name, nil, nil, ref, none, (*helmOpModel)(nil)), false, false},
	}
	for n, c := range cases {
		if c.o.write != c.write || c.o.stale != c.stale {
			t.Errorf("%s: write %v stale %v, want %v %v", n, c.o.write, c.o.stale, c.write, c.stale)
		}
	}
}

func TestAwaitDeployed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	diags := awaitDeployed(ctx, "GitRepo", "ns", "apps", func(context.Context) (deployCheck, error) {
		return waitingFor("1 of 2 cluster(s) ready"), nil
	})
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "not ready before the timeout: 1 of 2 cluster(s) ready") {
		t.Errorf("timeout: %v", diags)
	}
	calls := 0
	diags = awaitDeployed(context.Background(), "HelmOp", "ns", "web", func(context.Context) (deployCheck, error) {
		calls++
		if calls < 2 {
			return waitingFor("not yet"), nil
		}
		return deployCheck{failed: "no chart version found"}, nil
	})
	if !diags.HasError() || diags[0].Summary() != "The HelmOp failed to deploy" || !strings.Contains(diags[0].Detail(), "ns/web: no chart version found") {
		t.Errorf("failure: %v", diags)
	}
	if diags := awaitDeployed(context.Background(), "HelmOp", "ns", "web", func(context.Context) (deployCheck, error) {
		return deployCheck{ready: true}, nil
	}); diags.HasError() {
		t.Errorf("ready: %v", diags)
	}
}

// TestStaleFailures: a failure Fleet reported before the provider's last
// write is about an earlier spec: it does not end the wait, and a timeout
// names it; one reported since, or without a time, does.
func TestStaleFailures(t *testing.T) {
	since := time.Date(2026, 1, 2, 10, 0, 30, 500, time.UTC)
	at := func(sec int) string { return time.Date(2026, 1, 2, 10, 0, sec, 0, time.UTC).Format(time.RFC3339) }
	stalled := func(when string) []fleet.Condition {
		return []fleet.Condition{{Type: "Stalled", Status: "True", Message: "bad fleet.yaml", LastUpdateTime: when}}
	}
	for name, c := range map[string]struct {
		conditions     []fleet.Condition
		current, stale string
	}{
		"before":        {stalled(at(29)), "", "bad fleet.yaml"},
		"same second":   {stalled(at(30)), "bad fleet.yaml", ""},
		"after":         {stalled(at(31)), "bad fleet.yaml", ""},
		"no time":       {stalled(""), "bad fleet.yaml", ""},
		"not a failure": {[]fleet.Condition{{Type: "Ready", Status: "False", Message: "NotReady(1)", LastUpdateTime: at(31)}}, "", ""},
	} {
		current, stale := failedCondition(c.conditions, since)
		if current != c.current || stale != c.stale {
			t.Errorf("%s: current %q, stale %q; want %q, %q", name, current, stale, c.current, c.stale)
		}
	}
	if current, _ := failedCondition(stalled(at(1)), time.Time{}); current == "" {
		t.Error("without a time of the write, every failure is current")
	}

	// The status controller had not recounted since the write: the failed
	// deployments it counts are the earlier spec's.
	failing := fleet.StatusBase{DesiredReadyClusters: 1,
		Summary:    fleet.BundleSummary{ErrApplied: 1, DesiredReady: 1, NonReadyResources: []fleet.NonReadyResource{{Name: "app-broken", State: "ErrApplied", Message: "yaml: line 2"}}},
		Conditions: []fleet.Condition{{Type: "Ready", Status: "False", Message: "ErrApplied(1)", LastUpdateTime: at(20)}}}
	got := statusCheck(failing, since)
	if got.failed != "" || got.ready || !strings.Contains(got.stale, "app-broken: yaml: line 2") {
		t.Errorf("stale summary: %+v", got)
	}
	failing.Conditions[0].LastUpdateTime = at(40)
	if got := statusCheck(failing, since); !strings.Contains(got.failed, "app-broken: yaml: line 2") {
		t.Errorf("current summary: %+v", got)
	}
}

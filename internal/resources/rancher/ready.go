package rancher

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	rancherapi "github.com/fleetform/terraform-provider-fleet/internal/rancher"
)

// awaitRancherReady waits until Rancher reports the cluster Ready, failing
// early when Rancher keeps reporting an error for rancherErrorGrace.
func awaitRancherReady(ctx context.Context, c *kube.Client, workspace, name string) diag.Diagnostics {
	var diags diag.Diagnostics
	var failing, waiting string
	var failingSince time.Time
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := clusterAPI.Get(ctx, c, workspace, name)
		if err != nil {
			return false, err
		}
		if cluster.Status == nil {
			return false, nil
		}
		if ready := rancherapi.FindCondition(cluster.Status.Conditions, "Ready"); ready != nil {
			if ready.Status == "True" {
				return true, nil
			}
			waiting = ready.Message
		}
		msg := rancherClusterError(cluster.Status)
		switch {
		case msg == "":
			failing = ""
		case msg != failing:
			failing, failingSince = msg, time.Now()
		case time.Since(failingSince) >= rancherErrorGrace:
			return false, fmt.Errorf("Rancher reports an error: %s", msg)
		}
		return false, nil
	})
	if err != nil {
		detail := err.Error()
		if ctx.Err() != nil {
			detail = "Rancher did not report the cluster ready before the timeout"
			switch {
			case failing != "":
				detail += "; Rancher reports: " + failing
			case waiting != "":
				detail += "; Rancher reports: " + waiting
			}
			detail += ". The cluster agent must reach Rancher: check the agent's proxy (fleet_rancher_cluster.agent_proxy) and Rancher's server-url."
		}
		diags.AddError(fmt.Sprintf("Rancher cluster %s/%s is not ready", workspace, name), detail)
	}
	return diags
}

// rancherErrorGrace is how long Rancher must keep reporting an error before
// a wait gives up on it: Rancher reports transient errors while it sets up.
const rancherErrorGrace = 10 * time.Second

// rancherClusterError returns the message of a condition Rancher reports as
// failed (reason "Error", wrangler's SetError), or "".
func rancherClusterError(status *rancherapi.ClusterStatus) string {
	if status == nil {
		return ""
	}
	for _, c := range status.Conditions {
		if c.Reason == "Error" && c.Message != "" {
			return fmt.Sprintf("%s: %s", c.Type, c.Message)
		}
	}
	return ""
}

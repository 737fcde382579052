package kubesphere

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
)

// kubesphereErrorGrace is how long KubeSphere must keep reporting a failure
// once the agent is connected before a wait gives up: the controller reports
// Ready=False until its next reconcile after the agent connected.
const kubesphereErrorGrace = 10 * time.Second

// awaitMemberReady waits until Tower reports the agent connected
// (AgentAvailable) and KubeSphere the cluster Ready. Once the agent is
// connected, a Ready=False or KSCoreReady=False that KubeSphere keeps
// reporting fails the wait with its message.
func awaitMemberReady(ctx context.Context, c *kube.Client, name, proxyServer string) diag.Diagnostics {
	var diags diag.Diagnostics
	var agentMessage, failing, waiting string
	connected := false
	var failingSince time.Time
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		cluster, err := clusterAPI.Get(ctx, c, "", name)
		if errors.Is(err, framework.ErrNotFound) {
			return false, fmt.Errorf("the KubeSphere cluster %s was deleted", name)
		}
		if err != nil {
			return false, err
		}
		status := cluster.Status
		if agent := status.Condition(ks.ConditionAgentAvailable); agent != nil {
			agentMessage = agent.Message
		}
		if connected = status.IsTrue(ks.ConditionAgentAvailable); !connected {
			return false, nil
		}
		if status.IsTrue(ks.ConditionReady) {
			return true, nil
		}
		if ready := status.Condition(ks.ConditionReady); ready != nil {
			waiting = ready.Message
		}
		msg := kubesphereFailure(status)
		switch {
		case msg == "":
			failing = ""
		case msg != failing:
			failing, failingSince = msg, time.Now()
		case time.Since(failingSince) >= kubesphereErrorGrace:
			return false, fmt.Errorf("KubeSphere reports: %s", msg)
		}
		return false, nil
	})
	if err == nil {
		return diags
	}
	detail := err.Error()
	switch {
	case ctx.Err() == nil:
	case !connected:
		if agentMessage == "" {
			agentMessage = "no agent has connected"
		}
		detail = fmt.Sprintf("Tower did not report the agent connected before the timeout (Tower reports: %s). The agent in the member "+
			"must reach Tower at %s: check proxy_server, the firewall between member and host, and agent_proxy.", agentMessage, proxyServer)
	default:
		detail = "KubeSphere did not report the cluster ready before the timeout"
		if failing != "" {
			waiting = failing
		}
		if waiting != "" {
			detail += "; KubeSphere reports: " + waiting
		}
		detail += "."
	}
	diags.AddError(fmt.Sprintf("KubeSphere cluster %s is not ready", name), detail)
	return diags
}

// kubesphereFailure returns what KubeSphere reports failing: KSCoreReady
// (4.x, the ks-core install) or Ready False with a message; "" otherwise.
func kubesphereFailure(status *ks.ClusterStatus) string {
	for _, t := range []string{ks.ConditionKSCoreReady, ks.ConditionReady} {
		if c := status.Condition(t); c != nil && c.Status == "False" && c.Message != "" {
			return fmt.Sprintf("%s: %s", c.Type, c.Message)
		}
	}
	return ""
}

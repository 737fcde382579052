package testenv

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Agent is a fleet-agent process. No kubelet runs here, so the agent
// Deployment that Fleet (or the fleet-agent chart) writes downstream never gets
// a pod: the harness runs the real fleetagent binary in its place, reading the
// same ConfigMap and bootstrap Secret the Deployment would mount.
type Agent struct{ proc *process }

// Stop ends the agent process.
func (a *Agent) Stop() { a.proc.stop(10 * time.Second) }

// StartAgent runs a fleet-agent against the downstream cluster once Fleet's
// agent configuration exists there (written by the controller for
// manager-initiated registration, or by the fleet-agent chart).
func (e *Env) StartAgent(ctx context.Context, name string) (*Agent, error) {
	down := e.Downstream
	err := waitFor(ctx, "fleet-agent configuration downstream", 3*time.Minute, nil, func(ctx context.Context) error {
		if _, err := down.Core.CoreV1().ConfigMaps(SystemNamespace).Get(ctx, "fleet-agent", metav1.GetOptions{}); err != nil {
			return err
		}
		_, err := down.Core.CoreV1().Secrets(SystemNamespace).Get(ctx, "fleet-agent-bootstrap", metav1.GetOptions{})
		return err
	})
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	p, err := e.start("fleet-agent-"+name, "fleetagent", nil, append([]string{
		"KUBECONFIG=" + down.Kubeconfig,
		"NAMESPACE=" + SystemNamespace,
		"AGENT_SCOPE=",
		"CHECKIN_INTERVAL=15s",
		"FLEET_AGENT_METRICS_BIND_ADDRESS=" + loopback(ports[0]),
		"FLEET_AGENT_PROBE_BIND_ADDRESS=" + loopback(ports[1]),
		"FLEET_AGENT_PPROF_DISABLED=true",
	}, election...))
	if err != nil {
		return nil, fmt.Errorf("fleet-agent: %w", err)
	}
	return &Agent{proc: p}, nil
}

package testenv

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Agent is a fleet-agent process. No kubelet runs here, so the agent
// Deployment that Fleet (or the fleet-agent chart) writes downstream never gets
// a pod: the harness runs the real fleetagent binary in its place, reading the
// same ConfigMap and bootstrap Secret the Deployment would mount. While the
// process runs, the harness also reports that Deployment available, as the
// Deployment controller would for a running pod; otherwise Fleet would keep
// the cluster NotReady ("fleet-agent ... Replicas: 0/1"). When the
// Deployment is deleted, the harness ends the process, as the kubelet ends
// the pod. With Fleet v0.12's agent chart it also completes the chart's hook
// Job (runAgentChartHook).
type Agent struct{ proc *process }

// Stop ends the agent process.
func (a *Agent) Stop() { a.proc.stop(10 * time.Second) }

// LogFile is the path of the agent's log.
func (a *Agent) LogFile() string { return a.proc.log }

// StartAgent runs a fleet-agent against the environment's downstream cluster
// once Fleet's agent configuration exists there (written by the controller
// for manager-initiated registration, or by the fleet-agent chart). name only
// names its log.
func (e *Env) StartAgent(ctx context.Context, name string) (*Agent, error) {
	return e.startAgent(ctx, "fleet-agent-"+name, e.Downstream)
}

// StartAgentOn is StartAgent for any downstream cluster, such as one from
// StartDownstream. The agent logs to fleet-agent-<cluster name>.log and is
// stopped by down.Stop as well as by Env.Stop.
func (e *Env) StartAgentOn(ctx context.Context, down *Cluster) (*Agent, error) {
	return e.startAgent(ctx, "fleet-agent-"+down.Name, down)
}

func (e *Env) startAgent(ctx context.Context, logName string, down *Cluster) (*Agent, error) {
	err := waitFor(ctx, "fleet-agent configuration in "+down.Name, 3*time.Minute, nil, func(ctx context.Context) error {
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
	var inherit []*os.File
	if e.Fleet.AgentFixedPorts {
		lock, err := lockFixedAgentPorts(ctx, e.Fleet.Version)
		if err != nil {
			return nil, err
		}
		defer lock.Close() // the agent holds its own copy until it exits
		inherit = append(inherit, lock)
	}
	p, err := e.start(logName, "fleetagent", nil, append([]string{
		"KUBECONFIG=" + down.Kubeconfig,
		"NAMESPACE=" + SystemNamespace,
		"AGENT_SCOPE=",
		"CHECKIN_INTERVAL=15s",
		"FLEET_AGENT_METRICS_BIND_ADDRESS=" + loopback(ports[0]),
		"FLEET_AGENT_PROBE_BIND_ADDRESS=" + loopback(ports[1]),
		"FLEET_AGENT_PPROF_DISABLED=true",
	}, election...), inherit...)
	if err != nil {
		return nil, fmt.Errorf("fleet-agent: %w", err)
	}
	down.track(p)
	go reportAgentDeploymentAvailable(p, down)
	if e.Fleet.AgentChartHook {
		go runAgentChartHook(p, down, e.logf)
	}
	return &Agent{proc: p}, nil
}

// lockFixedAgentPorts takes the machine-wide lock of the agents that bind
// fixed ports (Release.AgentFixedPorts), waiting while another such agent
// runs. The lock is an flock on an open file: handed to the agent process, it
// lasts exactly as long as that process, however it ends.
func lockFixedAgentPorts(ctx context.Context, version string) (*os.File, error) {
	path := filepath.Join(os.TempDir(), "fleet-testenv-agent-fixed-ports.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, err
	}
	err = waitFor(ctx, fmt.Sprintf("the ports of Fleet %s's fleet-agent (:8080, :8081, localhost:6060; one such agent at a time, lock %s)", version, path),
		5*time.Minute, nil, func(context.Context) error {
			return tryLock(f)
		})
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// reportAgentDeploymentAvailable keeps the status of the fleet-agent
// Deployment in down at "all replicas available" until the agent process
// exits, catching up whenever Fleet redeploys the agent (a new generation).
// When the Deployment is deleted it stops the agent, as the kubelet would
// kill the Deployment's pod: at once when its namespace is gone or going
// (an agent left running would deploy its own bundle, and the namespace,
// again), else once the Deployment stays deleted for agentGoneGrace. A
// Deployment deleted and created again within that time (Fleet replaces the
// agent's while it registers a cluster manager-initiated) keeps the agent
// running: a kubelet would start the new Deployment's pod.
func reportAgentDeploymentAvailable(agent *process, down *Cluster) {
	deployments := down.Core.AppsV1().Deployments(SystemNamespace)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-agent.done
		cancel()
	}()
	seen := false
	var goneSince time.Time
	for {
		d, err := deployments.Get(ctx, "fleet-agent", metav1.GetOptions{})
		switch {
		case !apierrors.IsNotFound(err) || !seen:
			goneSince = time.Time{}
		case namespaceGoing(ctx, down) || (!goneSince.IsZero() && time.Since(goneSince) >= agentGoneGrace):
			agent.stop(10 * time.Second)
			return
		case goneSince.IsZero():
			goneSince = time.Now()
		}
		seen = seen || err == nil
		if err == nil && !deploymentAvailable(d) {
			replicas := ptr.Deref(d.Spec.Replicas, 1)
			now := metav1.Now()
			d.Status = appsv1.DeploymentStatus{
				ObservedGeneration: d.Generation,
				Replicas:           replicas,
				UpdatedReplicas:    replicas,
				ReadyReplicas:      replicas,
				AvailableReplicas:  replicas,
				Conditions: []appsv1.DeploymentCondition{
					{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable",
						Message: "Deployment has minimum availability.", LastUpdateTime: now, LastTransitionTime: now},
					{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable",
						Message: "the fleet-agent process of the testenv stands in for its pod", LastUpdateTime: now, LastTransitionTime: now},
				},
			}
			_, _ = deployments.UpdateStatus(ctx, d, metav1.UpdateOptions{}) // a conflict is retried next round
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// namespaceGoing reports whether the agent's namespace in down is deleted
// or being deleted.
func namespaceGoing(ctx context.Context, down *Cluster) bool {
	ns, err := down.Core.CoreV1().Namespaces().Get(ctx, SystemNamespace, metav1.GetOptions{})
	return apierrors.IsNotFound(err) || (err == nil && ns.DeletionTimestamp != nil)
}

// agentGoneGrace is how long the fleet-agent Deployment must stay deleted
// before reportAgentDeploymentAvailable stops the agent.
const agentGoneGrace = 6 * time.Second

func deploymentAvailable(d *appsv1.Deployment) bool {
	replicas := ptr.Deref(d.Spec.Replicas, 1)
	return d.Status.ObservedGeneration == d.Generation && d.Status.AvailableReplicas == replicas &&
		d.Status.ReadyReplicas == replicas && d.Status.UpdatedReplicas == replicas
}

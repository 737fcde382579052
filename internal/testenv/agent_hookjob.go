package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The fleet-agent chart of Fleet v0.12 has a Helm hook, run after every
// install and upgrade (charts/fleet-agent/templates/patch_default_serviceaccount.yaml):
// the Job patch-fleet-sa, whose one container runs
//
//	kubectl patch serviceaccount default -p '{"automountServiceAccountToken": false}' -n <internal.systemNamespace>
//
// Helm waits for that Job to complete before the install succeeds. No kubelet
// (nor Job controller) runs downstream here, so the harness stands in for
// them, for that Job only: it makes the same patch with the cluster's admin
// credentials, then writes the status the Job controller writes for a pod
// that succeeded (finishJob). Later charts have no such hook.

// agentChartHookJob is the name of the v0.12 agent chart's hook Job.
const agentChartHookJob = "patch-fleet-sa"

// runAgentChartHook completes every agentChartHookJob in down's system
// namespace (one per install or upgrade: Helm deletes it once it succeeded,
// and before creating the next) until the agent process exits.
func runAgentChartHook(agent *process, down *Cluster, logf func(string, ...any)) {
	jobs := down.Core.BatchV1().Jobs(SystemNamespace)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-agent.done
		cancel()
	}()
	completed := map[types.UID]bool{}
	for {
		job, err := jobs.Get(ctx, agentChartHookJob, metav1.GetOptions{})
		if err == nil && !completed[job.UID] {
			if err := completeAgentChartHook(ctx, down, job); err != nil {
				logf("%s/%s: %v (retrying)", down.Name, agentChartHookJob, err)
			} else {
				completed[job.UID] = true
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// completeAgentChartHook does what the hook Job's kubectl does, to the
// namespace its arguments name, and reports the Job complete.
func completeAgentChartHook(ctx context.Context, down *Cluster, job *batchv1.Job) error {
	start := metav1.Now()
	containers := job.Spec.Template.Spec.Containers
	if len(containers) != 1 {
		return fmt.Errorf("want the chart's one kubectl container, found %d containers", len(containers))
	}
	args := containers[0].Args
	i := slices.Index(args, "-n")
	if i < 0 || i+1 >= len(args) {
		return fmt.Errorf("no -n <namespace> in the container's args %q", args)
	}
	patch, err := json.Marshal(map[string]any{"automountServiceAccountToken": false})
	if err != nil {
		return err
	}
	if _, err := down.Core.CoreV1().ServiceAccounts(args[i+1]).Patch(ctx, "default", types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch serviceaccount default: %w", err)
	}
	return finishJob(ctx, down, job, start, "")
}

package testenv

// The gitjob runner stands in for the kubelet and the Job controller, neither
// of which runs here, for the one kind of Job Fleet needs run: the git job
// that Fleet's gitjob controller creates for each GitRepo commit (a Job owned
// by the GitRepo; see newGitJob in Fleet's gitops reconciler). For each such
// Job it does what those two would:
//
//   - like the Job controller, it creates the Job's Pod (labels job-name and
//     batch.kubernetes.io/job-name, owned by the Job) and writes the Job status:
//     startTime and active first, then SuccessCriteriaMet+Complete or
//     FailureTarget+Failed with succeeded/failed counts and completionTime,
//     which is what the apiserver's status validation and Fleet's
//     status.Compute expect;
//   - like the kubelet, it runs the init containers and then the containers as
//     local processes of the fleetcli binary (the image's "fleet" command,
//     also when Fleet v0.12 wraps it in its log.sh: see logWrapper),
//     with the container's env (value, secretKeyRef, configMapKeyRef, and
//     fieldRef metadata.name/metadata.namespace), its volumes (emptyDir,
//     ConfigMap, Secret) materialised in a temporary folder and every mount
//     path in args, env and workingDir rewritten to that folder, and with a
//     kubeconfig holding a token of the pod's service account, so Fleet's RBAC
//     for the job applies. It then writes the Pod status with each container's
//     exit code and, for FallbackToLogsOnError, the tail of its output (80
//     lines, 2 KiB, as the kubelet keeps) as termination message: that is
//     where Fleet reads the error it shows on the GitRepo.
//
// It does not: run other Jobs or images, retry (Fleet sets backoffLimit 0),
// enforce the security context, resources, node selectors or tolerations,
// expand $(VAR) references, support envFrom or other volume kinds, or keep
// the pod's network and filesystem isolation (processes see the host).
// Each run's output goes to <LogDir>/gitjob-<namespace>-<job>.log.
//
// Exactly one runner acts per environment: every Env (started or attached)
// campaigns for a Lease in cattle-fleet-system, and only the holder runs jobs.
// The environment's own process (`fleet-testenv serve`) normally holds it; an
// attached test process takes over only when no holder renews it, and a new
// holder picks up every unfinished git job.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

const (
	jobRunnerLease = "fleet-testenv-gitjob-runner"
	// Two cores are shared by everything: more parallel jobs only thrash.
	jobRunnerSlots = 2
	// What the kubelet keeps of a failed container's log as its termination
	// message under FallbackToLogsOnError.
	terminationLogLines = 80
	terminationLogBytes = 2048
)

type gitJobRunner struct {
	up      *Cluster
	fleet   string // fleetcli: the image's "fleet" command
	logDir  string
	workDir string
	logf    func(format string, args ...any)
	slots   chan struct{}

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup // leadership terms and job runs
}

// startJobRunner campaigns for the runner lease in the background until
// Env.Stop.
func (e *Env) startJobRunner() {
	r := &gitJobRunner{
		up:      e.Upstream,
		fleet:   filepath.Join(e.BinDir, "fleetcli"),
		logDir:  e.LogDir,
		workDir: filepath.Join(e.Dir, "gitjobs"),
		logf:    e.logf,
		slots:   make(chan struct{}, jobRunnerSlots),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.campaign(ctx)
	}()
	e.mu.Lock()
	e.runner = func() {
		cancel()
		<-done
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		r.wg.Wait()
	}
	e.mu.Unlock()
}

func (r *gitJobRunner) campaign(ctx context.Context) {
	host, _ := os.Hostname()
	lock := &resourcelock.LeaseLock{
		LeaseMeta:  metav1.ObjectMeta{Namespace: SystemNamespace, Name: jobRunnerLease},
		Client:     r.up.Core.CoordinationV1(),
		LockConfig: resourcelock.ResourceLockConfig{Identity: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.String(5))},
	}
	// RunOrDie returns when ctx ends or the lease is lost (apiserver gone for
	// a while): campaign again in the latter case.
	for ctx.Err() == nil {
		leaderelection.RunOrDie(ctx, leaderelection.LeaderElectionConfig{
			Lock:            lock,
			Name:            jobRunnerLease,
			LeaseDuration:   15 * time.Second,
			RenewDeadline:   10 * time.Second,
			RetryPeriod:     2 * time.Second,
			ReleaseOnCancel: true,
			Callbacks: leaderelection.LeaderCallbacks{
				OnStartedLeading: r.serve,
				OnStoppedLeading: func() {},
			},
		})
	}
}

// serve runs git jobs for one leadership term, until ctx ends.
func (r *gitJobRunner) serve(ctx context.Context) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.wg.Add(1)
	r.mu.Unlock()
	defer r.wg.Done()

	r.logf("gitjob runner: running Fleet's git jobs")
	t := &jobTerm{r: r, ctx: ctx, runs: map[types.UID]context.CancelFunc{}}
	factory := informers.NewSharedInformerFactory(r.up.Core, 0)
	_, _ = factory.Batch().V1().Jobs().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    t.consider,
		UpdateFunc: func(_, obj any) { t.consider(obj) },
		DeleteFunc: t.forget,
	})
	factory.Start(ctx.Done())
	<-ctx.Done()
	factory.Shutdown()
}

// jobTerm tracks the runs of one leadership term. A later term starts afresh,
// so it re-runs what an interrupted term left unfinished.
type jobTerm struct {
	r    *gitJobRunner
	ctx  context.Context
	mu   sync.Mutex
	runs map[types.UID]context.CancelFunc // every job this term ran or runs
}

func (t *jobTerm) consider(obj any) {
	job, ok := obj.(*batchv1.Job)
	if !ok || !isGitJob(job) || jobFinished(job) || t.ctx.Err() != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	// Finished runs stay in the map: a stale event must not start them again.
	if _, seen := t.runs[job.UID]; seen {
		return
	}
	ctx, cancel := context.WithCancel(t.ctx)
	t.runs[job.UID] = cancel
	t.r.wg.Add(1)
	go func() {
		defer t.r.wg.Done()
		defer cancel()
		t.r.run(ctx, job)
	}()
}

// forget stops the run of a deleted job, as deleting a Job kills its pod.
func (t *jobTerm) forget(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	job, ok := obj.(*batchv1.Job)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if cancel, ok := t.runs[job.UID]; ok {
		cancel()
		delete(t.runs, job.UID)
	}
}

// isGitJob tells Fleet's git jobs (controlled by a GitRepo) from other Jobs,
// which the runner leaves alone.
func isGitJob(job *batchv1.Job) bool {
	owner := metav1.GetControllerOf(job)
	return owner != nil && owner.Kind == "GitRepo" && strings.HasPrefix(owner.APIVersion, "fleet.cattle.io/")
}

func jobFinished(job *batchv1.Job) bool {
	for _, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// containerRun is the outcome of one container.
type containerRun struct {
	exitCode          int32
	message           string // termination message
	started, finished metav1.Time
}

// run executes one job like the Job controller and kubelet would, and records
// the outcome in the Pod and Job status. An interrupted run records nothing.
func (r *gitJobRunner) run(ctx context.Context, job *batchv1.Job) {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return
	}
	defer func() { <-r.slots }()

	jobs := r.up.Core.BatchV1().Jobs(job.Namespace)
	// The informer may lag behind: act on the current object.
	current, err := jobs.Get(ctx, job.Name, metav1.GetOptions{})
	if err != nil && !apierrors.IsNotFound(err) && ctx.Err() == nil {
		r.logf("gitjob runner: job %s/%s not run: %v", job.Namespace, job.Name, err)
	}
	if err != nil || current.UID != job.UID || jobFinished(current) {
		return
	}
	job = current
	logPath := filepath.Join(r.logDir, "gitjob-"+job.Namespace+"-"+job.Name+".log")
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		r.logf("gitjob runner: %v", err)
		return
	}
	defer log.Close()
	fmt.Fprintf(log, "=== %s job %s/%s\n", time.Now().Format(time.RFC3339), job.Namespace, job.Name)
	r.logf("gitjob runner: running job %s/%s (log: %s)", job.Namespace, job.Name, logPath)

	start := metav1.Now()
	failure, err := r.execute(ctx, job, start, log)
	if ctx.Err() != nil {
		fmt.Fprintln(log, "=== interrupted; the next runner runs it again")
		return
	}
	if err != nil {
		// The stand-in itself could not run the pod (a missing Secret, say);
		// the kubelet would leave it pending, failing it says why sooner.
		failure = "the testenv gitjob runner could not run the pod: " + err.Error()
	}
	if err := finishJob(ctx, r.up, job, start, failure); err != nil {
		fmt.Fprintf(log, "=== could not write the job status: %v\n", err)
		r.logf("gitjob runner: job %s/%s: %v", job.Namespace, job.Name, err)
		return
	}
	outcome := "complete"
	if failure != "" {
		outcome = "failed: " + failure
	}
	fmt.Fprintf(log, "=== job %s\n", outcome)
}

// execute creates the job's pod, runs its containers and writes the pod
// status. It returns the failure to report on the Job ("" for success), or an
// error when the pod could not be run at all.
func (r *gitJobRunner) execute(ctx context.Context, job *batchv1.Job, start metav1.Time, log io.Writer) (string, error) {
	if err := markJobStarted(ctx, r.up, job, start); err != nil {
		return "", err
	}
	pod, err := r.createPod(ctx, job)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(mkdirAll(r.workDir), job.Namespace+"-"+job.Name+"-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	// Run what the Job asks for, not the admitted pod: admission adds the
	// service-account token volume, which the kubeconfig replaces here.
	spec := job.Spec.Template.Spec
	volumes, err := r.materialiseVolumes(ctx, job.Namespace, spec.Volumes, dir)
	if err != nil {
		return "", err
	}
	kubeconfig, err := r.serviceAccountKubeconfig(ctx, pod, dir)
	if err != nil {
		return "", err
	}

	status := corev1.PodStatus{Phase: corev1.PodSucceeded, StartTime: &start}
	failure := ""
	runAll := func(containers []corev1.Container, kind string) ([]corev1.ContainerStatus, error) {
		var statuses []corev1.ContainerStatus
		for _, c := range containers {
			if failure != "" {
				// A failed init container keeps the others from starting.
				statuses = append(statuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image,
					State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}})
				continue
			}
			res, err := r.runContainer(ctx, pod, c, kind, volumes, kubeconfig, dir, log)
			if err != nil {
				return nil, err
			}
			state := &corev1.ContainerStateTerminated{ExitCode: res.exitCode, Reason: "Completed",
				Message: res.message, StartedAt: res.started, FinishedAt: res.finished}
			if res.exitCode != 0 {
				state.Reason = "Error"
				status.Phase = corev1.PodFailed
				failure = fmt.Sprintf("%s container %s exited with code %d", kind, c.Name, res.exitCode)
				if res.message != "" {
					failure += ": " + res.message
				}
			}
			statuses = append(statuses, corev1.ContainerStatus{Name: c.Name, Image: c.Image,
				State: corev1.ContainerState{Terminated: state}})
		}
		return statuses, nil
	}
	if status.InitContainerStatuses, err = runAll(spec.InitContainers, "init"); err != nil {
		return "", err
	}
	if status.ContainerStatuses, err = runAll(spec.Containers, "main"); err != nil {
		return "", err
	}
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	pod.Status = status
	if _, err := r.up.Core.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		return "", fmt.Errorf("pod status: %w", err)
	}
	return failure, nil
}

// markJobStarted writes what the Job controller writes when the pod starts.
func markJobStarted(ctx context.Context, c *Cluster, job *batchv1.Job, start metav1.Time) error {
	return updateJobStatus(ctx, c, job, func(s *batchv1.JobStatus) {
		if s.StartTime == nil {
			s.StartTime = &start
		}
		s.Active = 1
		s.Ready = ptr.To[int32](0)
	})
}

// finishJob writes the Job controller's terminal status. Kubernetes 1.34
// requires SuccessCriteriaMet before Complete and FailureTarget before Failed.
func finishJob(ctx context.Context, c *Cluster, job *batchv1.Job, start metav1.Time, failure string) error {
	now := metav1.Now()
	condition := func(t batchv1.JobConditionType, reason, message string) batchv1.JobCondition {
		return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: message,
			LastProbeTime: now, LastTransitionTime: now}
	}
	return updateJobStatus(ctx, c, job, func(s *batchv1.JobStatus) {
		if s.StartTime == nil {
			s.StartTime = &start
		}
		s.Active = 0
		s.Ready = ptr.To[int32](0)
		if failure == "" {
			const reached = "Reached expected number of succeeded pods"
			s.Succeeded = 1
			s.CompletionTime = &now
			s.Conditions = append(s.Conditions,
				condition(batchv1.JobSuccessCriteriaMet, batchv1.JobReasonCompletionsReached, reached),
				condition(batchv1.JobComplete, batchv1.JobReasonCompletionsReached, reached))
			return
		}
		const limit = "Job has reached the specified backoff limit"
		s.Failed = 1
		s.Conditions = append(s.Conditions,
			condition(batchv1.JobFailureTarget, batchv1.JobReasonBackoffLimitExceeded, limit),
			// The real message is just the limit; the failure helps whoever reads the Job.
			condition(batchv1.JobFailed, batchv1.JobReasonBackoffLimitExceeded, limit+"; "+failure))
	})
}

func updateJobStatus(ctx context.Context, c *Cluster, job *batchv1.Job, change func(*batchv1.JobStatus)) error {
	jobs := c.Core.BatchV1().Jobs(job.Namespace)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		current, err := jobs.Get(ctx, job.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if current.UID != job.UID {
			return fmt.Errorf("job %s/%s was replaced", job.Namespace, job.Name)
		}
		change(&current.Status)
		_, err = jobs.UpdateStatus(ctx, current, metav1.UpdateOptions{})
		return err
	})
}

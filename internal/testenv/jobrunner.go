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
//     local processes of the fleetcli binary (the image's "fleet" command),
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
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
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
	if err := r.finishJob(ctx, job, start, failure); err != nil {
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
	if err := r.markStarted(ctx, job, start); err != nil {
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

// markStarted writes what the Job controller writes when the pod starts.
func (r *gitJobRunner) markStarted(ctx context.Context, job *batchv1.Job, start metav1.Time) error {
	return r.updateJobStatus(ctx, job, func(s *batchv1.JobStatus) {
		if s.StartTime == nil {
			s.StartTime = &start
		}
		s.Active = 1
		s.Ready = ptr.To[int32](0)
	})
}

// finishJob writes the Job controller's terminal status. Kubernetes 1.34
// requires SuccessCriteriaMet before Complete and FailureTarget before Failed.
func (r *gitJobRunner) finishJob(ctx context.Context, job *batchv1.Job, start metav1.Time, failure string) error {
	now := metav1.Now()
	condition := func(t batchv1.JobConditionType, reason, message string) batchv1.JobCondition {
		return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: message,
			LastProbeTime: now, LastTransitionTime: now}
	}
	return r.updateJobStatus(ctx, job, func(s *batchv1.JobStatus) {
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

func (r *gitJobRunner) updateJobStatus(ctx context.Context, job *batchv1.Job, change func(*batchv1.JobStatus)) error {
	jobs := r.up.Core.BatchV1().Jobs(job.Namespace)
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

// createPod creates the pod the Job controller would, so Fleet finds the
// termination messages of a failed job by its job-name label.
func (r *gitJobRunner) createPod(ctx context.Context, job *batchv1.Job) (*corev1.Pod, error) {
	template := job.Spec.Template.DeepCopy()
	labels := map[string]string{}
	for k, v := range template.Labels {
		labels[k] = v
	}
	for _, k := range []string{"controller-uid", "batch.kubernetes.io/controller-uid"} {
		labels[k] = string(job.UID)
	}
	for _, k := range []string{"job-name", "batch.kubernetes.io/job-name"} {
		labels[k] = job.Name
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    job.Name + "-",
			Namespace:       job.Namespace,
			Labels:          labels,
			Annotations:     template.Annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(job, batchv1.SchemeGroupVersion.WithKind("Job"))},
		},
		Spec: template.Spec,
	}
	created, err := r.up.Core.CoreV1().Pods(job.Namespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("create pod: %w", err)
	}
	return created, nil
}

// materialiseVolumes writes each volume into dir/volumes/<name> and returns
// the folders by volume name.
func (r *gitJobRunner) materialiseVolumes(ctx context.Context, namespace string, volumes []corev1.Volume, dir string) (map[string]string, error) {
	core := r.up.Core.CoreV1()
	folders := map[string]string{}
	for _, v := range volumes {
		folder := filepath.Join(dir, "volumes", v.Name)
		if err := os.MkdirAll(folder, 0o700); err != nil {
			return nil, err
		}
		folders[v.Name] = folder
		var data map[string][]byte
		var items []corev1.KeyToPath
		var optional bool
		var what string
		switch {
		case v.EmptyDir != nil:
			continue
		case v.ConfigMap != nil:
			what, items, optional = "ConfigMap "+v.ConfigMap.Name, v.ConfigMap.Items, ptr.Deref(v.ConfigMap.Optional, false)
			cm, err := core.ConfigMaps(namespace).Get(ctx, v.ConfigMap.Name, metav1.GetOptions{})
			if err == nil {
				data = map[string][]byte{}
				for k, s := range cm.Data {
					data[k] = []byte(s)
				}
				for k, b := range cm.BinaryData {
					data[k] = b
				}
			} else if !apierrors.IsNotFound(err) {
				return nil, err
			}
		case v.Secret != nil:
			what, items, optional = "Secret "+v.Secret.SecretName, v.Secret.Items, ptr.Deref(v.Secret.Optional, false)
			secret, err := core.Secrets(namespace).Get(ctx, v.Secret.SecretName, metav1.GetOptions{})
			if err == nil {
				data = secret.Data
			} else if !apierrors.IsNotFound(err) {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("volume %s: only emptyDir, configMap and secret volumes are supported", v.Name)
		}
		if data == nil {
			if optional {
				continue
			}
			return nil, fmt.Errorf("volume %s: %s not found", v.Name, what)
		}
		if len(items) == 0 {
			for k := range data {
				items = append(items, corev1.KeyToPath{Key: k, Path: k})
			}
		}
		for _, item := range items {
			content, ok := data[item.Key]
			if !ok {
				if optional {
					continue
				}
				return nil, fmt.Errorf("volume %s: %s has no key %q", v.Name, what, item.Key)
			}
			path := filepath.Join(folder, item.Path)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, content, 0o600); err != nil {
				return nil, err
			}
		}
	}
	return folders, nil
}

// serviceAccountKubeconfig writes a kubeconfig for the pod's service account,
// the identity the pod would get in cluster.
func (r *gitJobRunner) serviceAccountKubeconfig(ctx context.Context, pod *corev1.Pod, dir string) (string, error) {
	account := pod.Spec.ServiceAccountName
	if account == "" {
		account = "default"
	}
	token, err := r.up.Core.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, account,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}},
		metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token of service account %s: %w", account, err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["upstream"] = &clientcmdapi.Cluster{Server: r.up.Host, CertificateAuthorityData: r.up.CAPEM}
	cfg.AuthInfos[account] = &clientcmdapi.AuthInfo{Token: token.Status.Token}
	cfg.Contexts["pod"] = &clientcmdapi.Context{Cluster: "upstream", AuthInfo: account, Namespace: pod.Namespace}
	cfg.CurrentContext = "pod"
	path := filepath.Join(dir, "kubeconfig")
	return path, clientcmd.WriteToFile(*cfg, path)
}

// mount maps a container path to the folder that stands in for it.
type mount struct{ path, dir string }

// mountTable holds a container's mounts, longest path first so nested
// mounts (e.g. /workspace/source under /workspace) win.
type mountTable []mount

func newMountTable(c corev1.Container, volumes map[string]string) (mountTable, error) {
	var t mountTable
	for _, m := range c.VolumeMounts {
		dir, ok := volumes[m.Name]
		if !ok {
			return nil, fmt.Errorf("container %s mounts unknown volume %s", c.Name, m.Name)
		}
		t = append(t, mount{path: filepath.Clean(m.MountPath), dir: filepath.Join(dir, m.SubPath)})
	}
	sort.SliceStable(t, func(i, j int) bool { return len(t[i].path) > len(t[j].path) })
	return t, nil
}

// path rewrites a container path that lies in a mount.
func (t mountTable) path(p string) string {
	for _, m := range t {
		if p == m.path {
			return m.dir
		}
		if strings.HasPrefix(p, m.path+"/") {
			return m.dir + p[len(m.path):]
		}
	}
	return p
}

// arg rewrites a command-line argument: a path, or --flag=path.
func (t mountTable) arg(a string) string {
	if i := strings.IndexByte(a, '='); i > 0 && strings.HasPrefix(a, "-") {
		return a[:i+1] + t.path(a[i+1:])
	}
	return t.path(a)
}

// dirOf returns the folder mounted exactly at path, if any.
func (t mountTable) dirOf(path string) (string, bool) {
	for _, m := range t {
		if m.path == path {
			return m.dir, true
		}
	}
	return "", false
}

// runContainer runs one container of the pod as a local fleetcli process.
func (r *gitJobRunner) runContainer(ctx context.Context, pod *corev1.Pod, c corev1.Container, kind string,
	volumes map[string]string, kubeconfig, dir string, log io.Writer) (containerRun, error) {
	mounts, err := newMountTable(c, volumes)
	if err != nil {
		return containerRun{}, err
	}
	command := append(append([]string{}, c.Command...), c.Args...)
	if len(command) == 0 || command[0] != "fleet" {
		return containerRun{}, fmt.Errorf("container %s: only the image's fleet command can run here, not %q", c.Name, command)
	}
	args := make([]string, 0, len(command)-1)
	for _, a := range command[1:] {
		args = append(args, mounts.arg(a))
	}
	env, err := r.containerEnv(ctx, pod, c, mounts)
	if err != nil {
		return containerRun{}, err
	}
	home := filepath.Join(dir, "home-"+c.Name)
	tmp, ok := mounts.dirOf("/tmp")
	if !ok {
		tmp = filepath.Join(dir, "tmp-"+c.Name)
	}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + mkdirAll(home), "TMPDIR=" + mkdirAll(tmp), "KUBECONFIG=" + kubeconfig}
	if certs, ok := mounts.dirOf("/etc/ssl/certs"); ok {
		base = append(base, "SSL_CERT_DIR="+certs) // the mount hides the image's CAs, as in the pod
	}
	workDir := home
	if c.WorkingDir != "" {
		workDir = mounts.path(c.WorkingDir)
	}

	cmd := exec.CommandContext(ctx, r.fleet, args...)
	cmd.Env = append(base, env...) // the container's own variables win, like HOME
	cmd.Dir = workDir
	cmd.SysProcAttr = ownProcessGroup()
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	tail := &tailBuffer{max: 64 << 10}
	out := io.MultiWriter(log, tail)
	cmd.Stdout, cmd.Stderr = out, out

	fmt.Fprintf(log, "--- %s container %s: fleet %s (in %s)\n", kind, c.Name, strings.Join(args, " "), workDir)
	res := containerRun{started: metav1.Now()}
	err = cmd.Run()
	res.finished = metav1.Now()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		res.exitCode = int32(exit.ExitCode())
	case errors.As(err, &exit):
		res.exitCode = 137 // killed by a signal, as the kubelet reports SIGKILL
	default:
		res.exitCode = 128
		fmt.Fprintf(tail, "%v\n", err)
	}
	fmt.Fprintf(log, "--- exit code %d after %s\n", res.exitCode, res.finished.Sub(res.started.Time).Round(10*time.Millisecond))
	if res.exitCode != 0 && c.TerminationMessagePolicy == corev1.TerminationMessageFallbackToLogsOnError {
		res.message = terminationTail(tail.buf)
	}
	return res, nil
}

// containerEnv resolves the container's environment like the kubelet, with
// mount paths rewritten.
func (r *gitJobRunner) containerEnv(ctx context.Context, pod *corev1.Pod, c corev1.Container, mounts mountTable) ([]string, error) {
	if len(c.EnvFrom) > 0 {
		return nil, fmt.Errorf("container %s: envFrom is not supported by the testenv gitjob runner", c.Name)
	}
	core := r.up.Core.CoreV1()
	var env []string
	for _, v := range c.Env {
		value, set := v.Value, true
		switch from := v.ValueFrom; {
		case from == nil:
		case from.FieldRef != nil:
			switch from.FieldRef.FieldPath {
			case "metadata.name":
				value = pod.Name
			case "metadata.namespace":
				value = pod.Namespace
			default:
				return nil, fmt.Errorf("env %s: fieldRef %s is not supported by the testenv gitjob runner", v.Name, from.FieldRef.FieldPath)
			}
		case from.SecretKeyRef != nil:
			ref := from.SecretKeyRef
			secret, err := core.Secrets(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return nil, err
			}
			var data []byte
			if err == nil {
				data, set = secret.Data[ref.Key]
			} else {
				set = false
			}
			if !set && !ptr.Deref(ref.Optional, false) {
				return nil, fmt.Errorf("env %s: key %q of Secret %s not found", v.Name, ref.Key, ref.Name)
			}
			value = string(data)
		case from.ConfigMapKeyRef != nil:
			ref := from.ConfigMapKeyRef
			cm, err := core.ConfigMaps(pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return nil, err
			}
			if err == nil {
				value, set = cm.Data[ref.Key]
			} else {
				set = false
			}
			if !set && !ptr.Deref(ref.Optional, false) {
				return nil, fmt.Errorf("env %s: key %q of ConfigMap %s not found", v.Name, ref.Key, ref.Name)
			}
		default:
			return nil, fmt.Errorf("env %s: this valueFrom is not supported by the testenv gitjob runner", v.Name)
		}
		if set {
			env = append(env, v.Name+"="+mounts.path(value))
		}
	}
	return env, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// terminationTail is what the kubelet keeps of a failed container's log: the
// last 80 lines, at most their last 2 KiB.
func terminationTail(out []byte) string {
	s := strings.TrimRight(string(out), "\n")
	if lines := strings.Split(s, "\n"); len(lines) > terminationLogLines {
		s = strings.Join(lines[len(lines)-terminationLogLines:], "\n")
	}
	if len(s) > terminationLogBytes {
		s = s[len(s)-terminationLogBytes:]
	}
	return s
}

// mkdirAll creates dir if needed and returns it; a failure surfaces when the
// folder is used.
func mkdirAll(dir string) string {
	_ = os.MkdirAll(dir, 0o700)
	return dir
}

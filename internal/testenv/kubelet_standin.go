package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/informers"
	appslisters "k8s.io/client-go/listers/apps/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// KubeletStandin plays the kubelet, and the Deployment controller, for the
// Deployments of one namespace, so that what Fleet's Helm charts deploy runs
// as it would in a cluster: no kubelet runs here, and no image can be pulled.
// For each Deployment it runs one "pod": every container becomes a process of
// the Fleet binary its image names (mapImage), with the container's command,
// args and environment, and the identity of the pod's service account (a
// TokenRequest token in a kubeconfig), so the chart's RBAC is what the
// process has. A container that exits is restarted with a growing delay, as
// in CrashLoopBackOff, and the Deployment's status says so. The pod is
// stopped when the Deployment is deleted or scaled to 0, and replaced when its
// pod template changes.
//
// Each pod also exists as a Pod object with the status a kubelet would
// report (kubelet_standin_podobject.go). It does not run images, probes,
// init containers, volumes (each pod gets a folder for TMPDIR and HOME
// instead of its emptyDirs), resource limits, or $(VAR) references in values; a pod has no network of its own,
// so the processes share the loopback interface (see isolateListeners), and
// the host name, which is why one pod runs whatever spec.replicas says:
// Fleet's leader election takes the host name as identity, and two replicas
// would both lead.
type KubeletStandin struct {
	cluster   *Cluster
	namespace string
	podsDir   string
	logDir    string
	logf      func(string, ...any)

	deployments appslisters.DeploymentNamespaceLister
	queue       workqueue.TypedRateLimitingInterface[string]
	cancel      context.CancelFunc
	done        chan struct{}

	mu       sync.Mutex
	pods     map[string]*standinPod // by Deployment name
	releases map[string]string      // the Fleet binaries: release -> folder
}

// startKubeletStandin starts the stand-in for the Deployments of namespace in
// cluster. Env.Stop stops it and every process it runs.
func (e *Env) startKubeletStandin(ctx context.Context, cluster *Cluster, namespace string) (*KubeletStandin, error) {
	s := &KubeletStandin{
		cluster:   cluster,
		namespace: namespace,
		releases:  map[string]string{e.Fleet.Version: e.BinDir},
		podsDir:   filepath.Join(e.Dir, "kubelet-standin", cluster.Name),
		logDir:    e.LogDir,
		logf:      e.logf,
		queue:     workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		done:      make(chan struct{}),
		pods:      map[string]*standinPod{},
	}
	if err := os.MkdirAll(s.podsDir, 0o700); err != nil {
		return nil, err
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cluster.Core, 0, informers.WithNamespace(namespace))
	informer := factory.Apps().V1().Deployments()
	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			_, name, _ := cache.SplitMetaNamespaceKey(key)
			s.queue.Add(name)
		}
	}
	if _, err := informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
		DeleteFunc: enqueue,
	}); err != nil {
		return nil, err
	}
	s.deployments = informer.Lister().Deployments(namespace)
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	factory.Start(runCtx.Done())
	for _, synced := range factory.WaitForCacheSync(ctx.Done()) {
		if !synced {
			cancel()
			factory.Shutdown()
			return nil, fmt.Errorf("kubelet stand-in: the Deployments of %s/%s did not sync", cluster.Name, namespace)
		}
	}
	go func() {
		defer close(s.done)
		defer factory.Shutdown()
		for s.processNext(runCtx) {
		}
	}()
	e.logf("kubelet stand-in runs the Deployments of %s/%s", cluster.Name, namespace)
	return s, nil
}

// AddRelease lets the stand-in run the images of another Fleet release too,
// from the binaries in binDir (tools/build-testenv.sh builds them; see
// BuildRelease): an upgrade of Fleet's charts then runs the new release.
func (s *KubeletStandin) AddRelease(binDir string) error {
	r, err := releaseOf(binDir)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releases[r.Version] = binDir
	return nil
}

// Stop stops watching and ends every process the stand-in runs.
func (s *KubeletStandin) Stop() {
	s.cancel()
	s.queue.ShutDown()
	<-s.done
	s.mu.Lock()
	pods := s.pods
	s.pods = map[string]*standinPod{}
	s.mu.Unlock()
	for _, pod := range pods {
		pod.stop()
	}
}

// StandinContainer is what the stand-in runs for one container of a
// Deployment's pod.
type StandinContainer struct {
	Pod, Name string
	// Binary is the path of the Fleet binary the image maps to; Args and Env
	// are the process's arguments and whole environment at its last start.
	Binary   string
	Args     []string
	Env      []string
	Running  bool
	PID      int // 0 when not running
	Restarts int
	// LastExit says why the process last stopped, or could not start.
	LastExit string
	Log      string
}

// Containers returns the containers the stand-in runs for a Deployment, none
// when it runs no pod for it.
func (s *KubeletStandin) Containers(deployment string) []StandinContainer {
	s.mu.Lock()
	pod := s.pods[deployment]
	s.mu.Unlock()
	if pod == nil {
		return nil
	}
	var out []StandinContainer
	for _, c := range pod.containers {
		out = append(out, c.snapshot(pod.name))
	}
	return out
}

func (s *KubeletStandin) processNext(ctx context.Context) bool {
	name, shutdown := s.queue.Get()
	if shutdown {
		return false
	}
	defer s.queue.Done(name)
	if err := s.reconcile(ctx, name); err != nil {
		if ctx.Err() == nil {
			s.logf("kubelet stand-in: Deployment %s/%s: %v", s.namespace, name, err)
		}
		s.queue.AddRateLimited(name)
		return true
	}
	s.queue.Forget(name)
	return true
}

// reconcile runs the pod the Deployment describes, or none, and reports it in
// the Deployment's status.
func (s *KubeletStandin) reconcile(ctx context.Context, name string) error {
	d, err := s.deployments.Get(name)
	if apierrors.IsNotFound(err) {
		s.replacePod(name, nil)
		return nil
	}
	if err != nil {
		return err
	}
	if d.DeletionTimestamp != nil || (d.Spec.Replicas != nil && *d.Spec.Replicas == 0) {
		s.replacePod(name, nil)
		if err := s.syncPodObject(ctx, d, nil); err != nil {
			return err
		}
		return s.writeStatus(ctx, d, nil)
	}
	hash, err := templateHash(d.Spec.Template)
	if err != nil {
		return err
	}
	s.mu.Lock()
	pod := s.pods[name]
	s.mu.Unlock()
	if pod == nil || pod.hash != hash {
		pod = s.newPod(d, hash)
		if pod.refusal != "" {
			s.logf("kubelet stand-in: not running Deployment %s/%s: %s", s.namespace, name, pod.refusal)
		}
		s.replacePod(name, pod)
		pod.start(s)
	}
	if err := s.syncPodObject(ctx, d, pod); err != nil {
		return err
	}
	return s.writeStatus(ctx, d, pod)
}

// replacePod stops the Deployment's pod, if any, and records its successor.
func (s *KubeletStandin) replacePod(deployment string, next *standinPod) {
	s.mu.Lock()
	previous := s.pods[deployment]
	if next == nil {
		delete(s.pods, deployment)
	} else {
		s.pods[deployment] = next
	}
	s.mu.Unlock()
	if previous != nil {
		previous.stop()
	}
}

// newPod plans the pod of a Deployment: a name, a folder, and the binary of
// each container; refusal says why it cannot run.
func (s *KubeletStandin) newPod(d *appsv1.Deployment, hash string) *standinPod {
	name := fmt.Sprintf("%s-%s-%s", d.Name, hash[:10], rand.String(5))
	pod := &standinPod{
		name:       name,
		deployment: d.Name,
		hash:       hash,
		dir:        filepath.Join(s.podsDir, name),
		spec:       *d.Spec.Template.Spec.DeepCopy(),
		stopping:   make(chan struct{}),
	}
	if len(d.Spec.Template.Spec.InitContainers) > 0 {
		pod.refusal = "the kubelet stand-in runs no init containers"
		return pod
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		binary, args, err := s.containerCommand(c)
		if err != nil {
			pod.refusal = fmt.Sprintf("container %s: %v", c.Name, err)
			pod.containers = nil
			return pod
		}
		pod.containers = append(pod.containers, &standinContainer{spec: c, binary: binary, chartArgs: args})
	}
	return pod
}

// templateHash identifies a pod template, as the pod-template-hash of a
// ReplicaSet does: a new hash means a new pod.
func templateHash(template corev1.PodTemplateSpec) (string, error) {
	data, err := json.Marshal(template)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// writeStatus reports the pod as the Deployment controller would: replica
// counts and an Available condition whose message says what the stand-in
// runs, or why the pod is not running. It writes only on change, since each
// write comes back as an update event.
func (s *KubeletStandin) writeStatus(ctx context.Context, d *appsv1.Deployment, pod *standinPod) error {
	status := appsv1.DeploymentStatus{ObservedGeneration: d.Generation}
	available := corev1.ConditionTrue
	reason, message := "MinimumReplicasAvailable", "scaled to 0: the kubelet stand-in runs no pod"
	if pod != nil {
		status.Replicas, status.UpdatedReplicas = 1, 1
		ready, summary := pod.state()
		message = summary
		if ready {
			status.ReadyReplicas, status.AvailableReplicas = 1, 1
		} else {
			status.UnavailableReplicas = 1
			available, reason = corev1.ConditionFalse, "MinimumReplicasUnavailable"
		}
		if d.Spec.Replicas != nil && *d.Spec.Replicas > 1 {
			message += fmt.Sprintf(" (one pod for %d replicas: the kubelet stand-in runs one per Deployment)", *d.Spec.Replicas)
		}
	}
	condition := appsv1.DeploymentCondition{Type: appsv1.DeploymentAvailable, Status: available, Reason: reason, Message: message}
	previous := deploymentCondition(d.Status, appsv1.DeploymentAvailable)
	if previous != nil && previous.Status == condition.Status && previous.Reason == condition.Reason && previous.Message == condition.Message {
		condition = *previous
	} else {
		now := metav1.NewTime(time.Now())
		condition.LastUpdateTime, condition.LastTransitionTime = now, now
		if previous != nil && previous.Status == condition.Status {
			condition.LastTransitionTime = previous.LastTransitionTime
		}
	}
	status.Conditions = []appsv1.DeploymentCondition{condition}
	if jsonEqual(d.Status, status) {
		return nil
	}
	updated := d.DeepCopy()
	updated.Status = status
	_, err := s.cluster.Core.AppsV1().Deployments(s.namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func deploymentCondition(status appsv1.DeploymentStatus, condType appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	for i := range status.Conditions {
		if status.Conditions[i].Type == condType {
			return &status.Conditions[i]
		}
	}
	return nil
}

// jsonEqual compares two statuses as the API server stores them.
func jsonEqual(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

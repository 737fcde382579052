package install

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/release"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8syaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/fleetform/terraform-provider-fleet/internal/framework"
)

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// manifestObjects returns the names of the objects of kind the release
// rendered.
func manifestObjects(rel *release.Release, kind string) []string {
	var names []string
	reader := k8syaml.NewYAMLReader(bufio.NewReader(strings.NewReader(rel.Manifest)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) || err != nil {
			break
		}
		var obj map[string]any
		if yaml.Unmarshal(doc, &obj) != nil || obj == nil {
			continue
		}
		if u := (unstructured.Unstructured{Object: obj}); u.GetKind() == kind {
			names = append(names, u.GetName())
		}
	}
	sort.Strings(names)
	return names
}

// awaitCRDs waits until the API server serves every CRD of the release.
func awaitCRDs(ctx context.Context, dyn dynamic.Interface, rel *release.Release) error {
	names := manifestObjects(rel, "CustomResourceDefinition")
	var pending string
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		for _, name := range names {
			crd, err := dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			if !crdEstablished(crd) {
				pending = name
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("the CRD %s is not established: %w", pending, err)
	}
	return nil
}

func crdEstablished(crd *unstructured.Unstructured) bool {
	conditions, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
	for _, c := range conditions {
		if c, ok := c.(map[string]any); ok && c["type"] == "Established" && c["status"] == "True" {
			return true
		}
	}
	return false
}

// waitingReasons are the reasons a container waits with that no waiting
// cures: the wait stops at once with the kubelet's message.
var waitingReasons = map[string]bool{
	"ErrImagePull": true, "ImagePullBackOff": true, "InvalidImageName": true,
	"CrashLoopBackOff": true, "CreateContainerConfigError": true, "CreateContainerError": true,
}

// awaitControllers waits until every Deployment of the release has rolled
// out and is available, reading the namespace's Deployments and Pods with
// one list each per poll. It fails at once when a pod cannot pull its image
// or crashes, or the rollout exceeded its deadline, with Kubernetes' own
// message; on timeout it says what a Deployment reported last.
func awaitControllers(ctx context.Context, core kubernetes.Interface, rel *release.Release) error {
	names := manifestObjects(rel, "Deployment")
	var last string
	var failed *controllerFailure
	err := framework.Poll(ctx, func(ctx context.Context) (bool, error) {
		deployments, err := core.AppsV1().Deployments(rel.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		pods, err := core.CoreV1().Pods(rel.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, name := range names {
			i := slices.IndexFunc(deployments.Items, func(d appsv1.Deployment) bool { return d.Name == name })
			if i < 0 {
				last = fmt.Sprintf("Deployment %s/%s does not exist", rel.Namespace, name)
				return false, nil
			}
			d := &deployments.Items[i]
			if failed = deploymentFailure(d, pods.Items); failed != nil {
				return false, failed
			}
			if ready, why := deploymentReady(d); !ready {
				last = fmt.Sprintf("Deployment %s/%s: %s", d.Namespace, d.Name, why)
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil && failed == nil && last != "" {
		return fmt.Errorf("%s (%w)", last, err)
	}
	return err
}

// controllerFailure is a state of a Deployment that no waiting cures.
type controllerFailure struct{ message string }

func (f *controllerFailure) Error() string { return f.message }

// deploymentFailure returns why the Deployment cannot become available: its
// rollout exceeded its deadline, or a container of a pod of its current
// template cannot start. nil when nothing says so.
func deploymentFailure(d *appsv1.Deployment, pods []corev1.Pod) *controllerFailure {
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			return &controllerFailure{fmt.Sprintf("Deployment %s/%s: %s", d.Namespace, d.Name, c.Message)}
		}
	}
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil // a Deployment the API server took has a valid selector
	}
	for i := range pods {
		p := &pods[i]
		if !selector.Matches(labels.Set(p.Labels)) || !ofTemplate(p, d) {
			continue
		}
		for _, s := range append(p.Status.InitContainerStatuses, p.Status.ContainerStatuses...) {
			if w := s.State.Waiting; w != nil && waitingReasons[w.Reason] {
				return &controllerFailure{fmt.Sprintf("Deployment %s/%s: pod %s, container %s: %s: %s", d.Namespace, d.Name, p.Name, s.Name, w.Reason, w.Message)}
			}
		}
	}
	return nil
}

// deploymentReady reports whether the Deployment rolled out and is
// available, and else what its Available condition says.
func deploymentReady(d *appsv1.Deployment) (bool, string) {
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	available := false
	why := "not observed yet"
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentAvailable {
			available, why = c.Status == corev1.ConditionTrue, c.Message
		}
	}
	ready := d.Status.ObservedGeneration >= d.Generation && available &&
		d.Status.UpdatedReplicas >= want && d.Status.AvailableReplicas >= want
	return ready, why
}

// ofTemplate reports whether the pod runs what the Deployment's template
// says: the same image, command, arguments and environment in each
// container (admission adds volumes and mounts to pods, not to templates).
func ofTemplate(p *corev1.Pod, d *appsv1.Deployment) bool {
	want := d.Spec.Template.Spec.Containers
	if len(p.Spec.Containers) != len(want) {
		return false
	}
	for i, c := range p.Spec.Containers {
		w := want[i]
		if c.Name != w.Name || c.Image != w.Image || !reflect.DeepEqual(c.Command, w.Command) ||
			!reflect.DeepEqual(c.Args, w.Args) || !reflect.DeepEqual(c.Env, w.Env) {
			return false
		}
	}
	return true
}

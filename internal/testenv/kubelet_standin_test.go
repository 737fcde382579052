package testenv_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fleetform/terraform-provider-fleet/internal/testenv"
)

// On a bare control plane, Fleet installed from its own charts runs through
// the kubelet stand-in: the controllers start with the chart's proxy
// environment under the chart's service accounts, from images under the
// system default registry, and reconcile; a crashing container is restarted
// and reported in its Deployment's status; deleting a Deployment stops its
// process.
func TestKubeletStandinRunsFleetCharts(t *testing.T) {
	needEnv(t) // for the binaries; the test runs a control plane of its own
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	bare, err := testenv.Start(ctx, testenv.Options{BinDir: env.BinDir, Log: testLog{t}, FleetInstall: testenv.FleetInstalledByProvider})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			bare.KeepDir = true
			t.Logf("bare control plane logs: %s", bare.LogDir)
		}
		bare.Stop()
	})
	up := bare.Upstream
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := up.Dynamic.Resource(crds).Get(ctx, "clusters.fleet.cattle.io", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a bare control plane has Fleet's CRDs (get: %v)", err)
	}

	const (
		registry = "registry.corp:5000"
		proxy    = "http://proxy.invalid:3128"
		noProxy  = "127.0.0.0/8,localhost,.svc"
	)
	version := bare.Fleet.Version
	helmInstall(ctx, t, up, bare.ChartsDir(), "fleet-crd", nil)
	helmInstall(ctx, t, up, bare.ChartsDir(), "fleet", map[string]any{
		"image":        map[string]any{"tag": version},
		"agentImage":   map[string]any{"tag": version},
		"apiServerURL": up.Host,
		"apiServerCA":  string(up.CAPEM),
		"proxy":        proxy,
		"noProxy":      noProxy,
		"global":       map[string]any{"cattle": map[string]any{"systemDefaultRegistry": registry}},
	})

	deployments := up.Core.AppsV1().Deployments(testenv.SystemNamespace)
	for _, name := range []string{"fleet-controller", "gitjob", "helmops"} {
		waitAvailable(t, deployments, name, corev1.ConditionTrue, "")
	}
	// Each pod is a Pod object too, with the status a kubelet reports.
	pods, err := up.Core.CoreV1().Pods(testenv.SystemNamespace).List(ctx, metav1.ListOptions{LabelSelector: "app=fleet-controller"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 1 || pods.Items[0].Status.Phase != corev1.PodRunning || len(pods.Items[0].Status.ContainerStatuses) != 3 {
		t.Fatalf("fleet-controller pods %+v, want one Running with three containers", pods.Items)
	}
	controller, err := deployments.Get(ctx, "fleet-controller", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if image, want := controller.Spec.Template.Spec.Containers[0].Image, registry+"/rancher/fleet:"+version; image != want {
		t.Fatalf("fleet-controller image %s, want %s", image, want)
	}

	kubelet := bare.Kubelet()
	running := map[string]testenv.StandinContainer{}
	for _, c := range kubelet.Containers("fleet-controller") {
		running[c.Name] = c
	}
	// The chart's commands; the root command gets no args, since metrics
	// are enabled by default (the stand-in moved their listener off :8080).
	for name, args := range map[string][]string{"fleet-controller": nil, "fleet-cleanup": {"cleanup"}, "fleet-agentmanagement": {"agentmanagement"}} {
		c, ok := running[name]
		if !ok || !c.Running || filepath.Base(c.Binary) != "fleetcontroller" || !slices.Equal(c.Args, args) {
			t.Fatalf("container %s: the stand-in runs %+v, want fleetcontroller %q", name, c, args)
		}
		if !slices.Contains(c.Env, "NAMESPACE="+testenv.SystemNamespace) {
			t.Errorf("container %s: NAMESPACE (a fieldRef) not resolved: %q", name, c.Env)
		}
	}
	// Each runs as its pod's service account, so the chart's RBAC is all it may do.
	for name, c := range running {
		if user := processUser(ctx, t, up, c); user != "system:serviceaccount:"+testenv.SystemNamespace+":fleet-controller" {
			t.Errorf("container %s runs as %s, want the fleet-controller service account", name, user)
		}
	}
	for _, want := range []string{"HTTP_PROXY=" + proxy, "HTTPS_PROXY=" + proxy, "NO_PROXY=" + noProxy} {
		if !slices.Contains(running["fleet-controller"].Env, want) {
			t.Errorf("fleet-controller environment lacks %s: %q", want, running["fleet-controller"].Env)
		}
		// The chart gives agentmanagement no proxy (fleet-coverage.md §4.1).
		if slices.Contains(running["fleet-agentmanagement"].Env, want) {
			t.Errorf("fleet-agentmanagement environment has %s, which the chart does not set", want)
		}
	}

	// Fleet works: agentmanagement bootstraps the local cluster and its
	// default group, and the controller counts the group's clusters.
	groups := up.Dynamic.Resource(fleetGVR("clustergroups")).Namespace("fleet-local")
	eventually(t, 2*time.Minute, "the default ClusterGroup counts the local cluster", func(ctx context.Context) error {
		g, err := groups.Get(ctx, "default", metav1.GetOptions{})
		if err != nil {
			return err
		}
		if n := field(g, "status", "clusterCount"); n != "1" {
			return fmt.Errorf("status.clusterCount = %q", n)
		}
		return nil
	})

	// A container that exits is restarted, and the Deployment says why it is not available.
	patch := `{"spec":{"template":{"spec":{"containers":[{"name":"gitjob","args":["gitjob","--no-such-flag"]}]}}}}`
	if _, err := deployments.Patch(ctx, "gitjob", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAvailable(t, deployments, "gitjob", corev1.ConditionFalse, "unknown flag: --no-such-flag")
	waitPodWaiting(t, up, "gitjob", "CrashLoopBackOff", "unknown flag: --no-such-flag")
	eventually(t, time.Minute, "the crashing gitjob container is restarted", func(context.Context) error {
		if c := kubelet.Containers("gitjob"); len(c) != 1 || c[0].Restarts < 2 {
			return fmt.Errorf("containers %+v, want gitjob restarted twice", c)
		}
		return nil
	})

	// Deleting a Deployment stops its process.
	helmops := kubelet.Containers("helmops")
	if len(helmops) != 1 || helmops[0].PID == 0 {
		t.Fatalf("helmops containers %+v, want one running", helmops)
	}
	if err := deployments.Delete(ctx, "helmops", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, "the helmops process stops with its Deployment", func(context.Context) error {
		if c := kubelet.Containers("helmops"); len(c) != 0 {
			return fmt.Errorf("the stand-in still runs %+v", c)
		}
		process, err := os.FindProcess(helmops[0].PID)
		if err == nil {
			err = process.Signal(syscall.Signal(0))
		}
		if !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("process %d still exists (%v)", helmops[0].PID, err)
		}
		return nil
	})

	// An image of another release is refused, not run with this release's binaries.
	patch = `{"spec":{"template":{"spec":{"containers":[{"name":"fleet-controller","image":"` + registry + `/rancher/fleet:v0.0.1"}]}}}}`
	if _, err := deployments.Patch(ctx, "fleet-controller", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAvailable(t, deployments, "fleet-controller", corev1.ConditionFalse, "rancher/fleet:v0.0.1 is not Fleet "+version)
	waitPodWaiting(t, up, "fleet-controller", "ErrImagePull", "rancher/fleet:v0.0.1 is not Fleet "+version)
	if c := kubelet.Containers("fleet-controller"); len(c) != 0 {
		t.Fatalf("the stand-in runs %+v for a refused image", c)
	}
}

// helmInstall installs one of Fleet's charts of the release into
// cattle-fleet-system, without its hook Jobs (the stand-in runs Deployments
// only) and without waiting.
func helmInstall(ctx context.Context, t *testing.T, cluster *testenv.Cluster, chartsDir, name string, values map[string]any) {
	t.Helper()
	chart, err := loader.Load(filepath.Join(chartsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	flags := genericclioptions.NewConfigFlags(false)
	kubeconfig, namespace := cluster.Kubeconfig, testenv.SystemNamespace
	flags.KubeConfig, flags.Namespace = &kubeconfig, &namespace
	cfg := new(action.Configuration)
	if err := cfg.Init(flags, namespace, "secret", func(string, ...any) {}); err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(cfg)
	install.ReleaseName, install.Namespace, install.CreateNamespace, install.DisableHooks = name, namespace, true, true
	if _, err := install.RunWithContext(ctx, chart, values); err != nil {
		t.Fatalf("helm install %s: %v", name, err)
	}
}

// processUser returns whom the API server takes the process for: the user of
// the kubeconfig its KUBECONFIG names.
func processUser(ctx context.Context, t *testing.T, cluster *testenv.Cluster, c testenv.StandinContainer) string {
	t.Helper()
	i := slices.IndexFunc(c.Env, func(v string) bool { return strings.HasPrefix(v, "KUBECONFIG=") })
	if i < 0 {
		t.Fatalf("container %s has no KUBECONFIG: %q", c.Name, c.Env)
	}
	cfg, err := clientcmd.LoadFromFile(strings.TrimPrefix(c.Env[i], "KUBECONFIG="))
	if err != nil {
		t.Fatal(err)
	}
	auth := cfg.AuthInfos[cfg.Contexts[cfg.CurrentContext].AuthInfo]
	if auth == nil || auth.Token == "" {
		t.Fatalf("container %s: its kubeconfig holds no token", c.Name)
	}
	review, err := cluster.Core.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: auth.Token}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return review.Status.User.Username
}

// waitAvailable waits until the Deployment's Available condition has status,
// with a message containing message.
func waitAvailable(t *testing.T, deployments typedappsv1.DeploymentInterface, name string, status corev1.ConditionStatus, message string) {
	t.Helper()
	eventually(t, 3*time.Minute, fmt.Sprintf("Deployment %s Available=%s", name, status), func(ctx context.Context) error {
		d, err := deployments.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range d.Status.Conditions {
			if c.Type == appsv1.DeploymentAvailable && c.Status == status && strings.Contains(c.Message, message) {
				return nil
			}
		}
		return fmt.Errorf("status %+v", d.Status)
	})
}

// waitPodWaiting waits until a container of the Deployment's Pod object
// waits with reason and a message containing message, as a kubelet reports
// an image it cannot pull or a container that keeps exiting.
func waitPodWaiting(t *testing.T, cluster *testenv.Cluster, deployment, reason, message string) {
	t.Helper()
	eventually(t, 2*time.Minute, fmt.Sprintf("a %s pod waiting with %s", deployment, reason), func(ctx context.Context) error {
		pods, err := cluster.Core.CoreV1().Pods(testenv.SystemNamespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			for _, c := range p.Status.ContainerStatuses {
				if w := c.State.Waiting; strings.HasPrefix(p.Name, deployment+"-") && w != nil && w.Reason == reason && strings.Contains(w.Message, message) {
					return nil
				}
			}
		}
		return fmt.Errorf("no such pod among %d", len(pods.Items))
	})
}

// testLog sends the environment's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

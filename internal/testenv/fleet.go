package testenv

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/crypto/ssh"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// SystemNamespace is where Fleet's controllers and agents keep their objects.
const SystemNamespace = "cattle-fleet-system"

var (
	crdGVR     = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	clusterGVR = schema.GroupVersionResource{Group: "fleet.cattle.io", Version: "v1alpha1", Resource: "clusters"}
	groupGVR   = schema.GroupVersionResource{Group: "fleet.cattle.io", Version: "v1alpha1", Resource: "clustergroups"}

	clusterRegistrationGVR = schema.GroupVersionResource{Group: "fleet.cattle.io", Version: "v1alpha1", Resource: "clusterregistrations"}
)

// election is the leader-election timing every Fleet process insists on.
var election = []string{
	"CATTLE_ELECTION_LEASE_DURATION=30s",
	"CATTLE_ELECTION_RENEW_DEADLINE=25s",
	"CATTLE_ELECTION_RETRY_PERIOD=10s",
}

// fleetProcess is one fleetcontroller process as Fleet's chart runs it.
type fleetProcess struct {
	name string
	args []string
	env  []string
}

// startFleet installs Fleet's CRDs and the objects its controller expects
// from its Helm chart, then runs the controller processes against upstream.
func (e *Env) startFleet(ctx context.Context) error {
	up := e.Upstream
	e.logf("installing Fleet %s CRDs", e.Fleet.Version)
	if err := e.installCRDs(ctx); err != nil {
		return err
	}
	if err := e.installFleetConfig(ctx); err != nil {
		return err
	}

	env := append([]string{"NAMESPACE=" + SystemNamespace, "KUBECONFIG=" + up.Kubeconfig}, election...)
	if e.Fleet.AgentElectionEnv {
		env = append(env,
			"FLEET_AGENT_ELECTION_LEASE_DURATION=30s",
			"FLEET_AGENT_ELECTION_RENEW_DEADLINE=25s",
			"FLEET_AGENT_ELECTION_RETRY_PERIOD=10s")
	}
	ports, err := freePorts(2)
	if err != nil {
		return err
	}
	kubeconfig := "--kubeconfig=" + up.Kubeconfig
	controllers := []fleetProcess{
		{"fleet-controller", []string{kubeconfig, "--disable-metrics"}, []string{"FLEET_HEALTHPROBE_BIND_ADDRESS=" + loopback(ports[0])}},
		{"fleet-agentmanagement", []string{"agentmanagement", kubeconfig}, nil},
		{"fleet-gitjob", []string{"gitjob", kubeconfig, "--gitjob-image=" + e.fleetImage(), "--listen=" + loopback(ports[1]), "--disable-metrics"}, nil},
		{"fleet-cleanup", []string{"cleanup", kubeconfig}, nil},
	}
	if e.Fleet.HelmOps {
		controllers = append(controllers, fleetProcess{"fleet-helmops", []string{"helmops", kubeconfig, "--disable-metrics"}, nil})
	}
	e.logf("starting the Fleet %s controllers", e.Fleet.Version)
	var procs []*process
	for _, c := range controllers {
		p, err := e.start(c.name, "fleetcontroller", c.args, append(env, c.env...))
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	// Bootstrap is done when the controller has created the local cluster and
	// its default group: then the cluster and group reconcilers are running.
	return waitFor(ctx, "Fleet controllers", 3*time.Minute, procs, func(ctx context.Context) error {
		if _, err := up.Dynamic.Resource(clusterGVR).Namespace("fleet-local").Get(ctx, "local", metav1.GetOptions{}); err != nil {
			return err
		}
		_, err := up.Dynamic.Resource(groupGVR).Namespace("fleet-local").Get(ctx, "default", metav1.GetOptions{})
		return err
	})
}

// installCRDs creates every CRD of Fleet's fleet-crd chart and waits until the
// API server serves them.
func (e *Env) installCRDs(ctx context.Context) error {
	data, err := os.ReadFile(filepath.Join(e.ChartsDir(), "fleet-crd", "templates", "crds.yaml"))
	if err != nil {
		return err
	}
	decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var names []string
	for {
		var obj unstructured.Unstructured
		if err := decoder.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("fleet CRDs: %w", err)
		}
		if obj.Object == nil {
			continue
		}
		if _, err := e.Upstream.Dynamic.Resource(crdGVR).Create(ctx, &obj, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
			return fmt.Errorf("create CRD %s: %w", obj.GetName(), err)
		}
		names = append(names, obj.GetName())
	}
	return waitFor(ctx, "Fleet CRDs", time.Minute, nil, func(ctx context.Context) error {
		for _, name := range names {
			crd, err := e.Upstream.Dynamic.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return err
			}
			if !hasCondition(crd, "Established") {
				return fmt.Errorf("CRD %s not established", name)
			}
		}
		return nil
	})
}

// installFleetConfig creates what Fleet's Helm chart would: namespaces, the
// controller ConfigMap, the known-hosts ConfigMap and the controller
// Deployment that bootstrap looks itself up by (it never runs: no kubelet).
func (e *Env) installFleetConfig(ctx context.Context) error {
	core := e.Upstream.Core
	for _, ns := range []string{SystemNamespace, "cattle-fleet-clusters-system", "fleet-local", "fleet-default"} {
		_, err := core.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
		if ignoreAlreadyExists(err) != nil {
			return err
		}
	}
	bootstrap := map[string]any{"namespace": "fleet-local", "agentNamespace": "cattle-fleet-local-system"}
	if e.Fleet.LocalAgentDisabled {
		bootstrap["localAgentDisabled"] = true
	}
	config, err := json.Marshal(map[string]any{
		"apiServerURL":         e.Upstream.Host,
		"apiServerCA":          e.Upstream.CAPEM, // []byte: base64 in JSON, as the chart writes it
		"agentImage":           "rancher/fleet-agent:" + e.Fleet.Version,
		"agentImagePullPolicy": "IfNotPresent",
		"agentCheckinInterval": "15s",
		"agentTLSMode":         "strict",
		"gitClientTimeout":     "30s",
		"bootstrap":            bootstrap,
	})
	if err != nil {
		return err
	}
	knownHosts, err := placeholderKnownHosts()
	if err != nil {
		return err
	}
	configMaps := []*corev1.ConfigMap{
		{ObjectMeta: metav1.ObjectMeta{Name: "fleet-controller"}, Data: map[string]string{"config": string(config)}},
		{ObjectMeta: metav1.ObjectMeta{Name: "known-hosts"}, Data: map[string]string{"known_hosts": knownHosts}},
	}
	for _, cm := range configMaps {
		if _, err := core.CoreV1().ConfigMaps(SystemNamespace).Create(ctx, cm, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
			return err
		}
	}
	labels := map[string]string{"app": "fleet-controller"}
	deployment := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "fleet-controller", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "fleet-controller", Image: e.fleetImage()}}},
			},
		},
	}
	_, err = core.AppsV1().Deployments(SystemNamespace).Create(ctx, deployment, metav1.CreateOptions{})
	return ignoreAlreadyExists(err)
}

// fleetImage is the controller image of the release, as Fleet's chart names it.
func (e *Env) fleetImage() string { return "rancher/fleet:" + e.Fleet.Version }

// placeholderKnownHosts returns a syntactically valid known_hosts line. Fleet
// refuses every GitRepo when the known-hosts ConfigMap is empty; the tests'
// git server speaks git://, so the key itself is never used.
func placeholderKnownHosts() (string, error) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", err
	}
	return "git.invalid " + string(ssh.MarshalAuthorizedKey(key)), nil
}

func hasCondition(obj *unstructured.Unstructured, condType string) bool {
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conditions {
		m, ok := c.(map[string]any)
		if ok && m["type"] == condType && m["status"] == "True" {
			return true
		}
	}
	return false
}

func conditionMessage(obj *unstructured.Unstructured, condType string) string {
	conditions, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conditions {
		if m, ok := c.(map[string]any); ok && m["type"] == condType {
			message, _ := m["message"].(string)
			return message
		}
	}
	return "no " + condType + " condition"
}

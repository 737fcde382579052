package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/dynamic"
	"sigs.k8s.io/yaml"
)

// RancherStandIn plays Rancher's part in importing clusters, for tests of the
// provider's Rancher resources: no Rancher server runs here. It is NOT
// Rancher. It reproduces only the externally visible steps of Rancher v2.15
// that the provider depends on, each documented with the Rancher behaviour it
// mirrors (Rancher sources named are under github.com/rancher/rancher):
//
//  1. A provisioning.cattle.io/v1 Cluster without rkeConfig appears in the
//     workspace namespace. Rancher creates a management cluster for it, named
//     c-m-<8 random characters>, writes that name to status.clusterName, and
//     creates a namespace of the same name (Rancher's provisioningv2 cluster
//     controllers). The stand-in does the same, minus the management cluster
//     object itself, and reports Ready=False "Disconnected" until an agent
//     connects, as Rancher does for an imported cluster that has no agent yet.
//  2. In that namespace Rancher creates the ClusterRegistrationToken
//     "default-token". From 2.13.8/2.14.4/2.15.0 on it keeps the random token
//     in Secret "crt-token-default-token" (key "token", owned by the token)
//     and names it in status.tokenSecretName; status.manifestUrl, command and
//     insecureCommand hold a literal "{token}" placeholder (pkg/controllers/
//     management/clusterregistrationtoken). Older Rancher wrote the token to
//     status.token and into the URL and commands: RancherStandInOptions.
//     LegacyToken mirrors that. The URL is <server-url>/v3/import/<token>_<
//     cluster>.yaml. The stand-in never rotates or regenerates a token.
//  3. Rancher serves the import manifest at that path over HTTPS, rendered
//     from pkg/systemtemplate for whatever token the path carries (the import
//     handler, pkg/api/norman/customization/clusterregistrationtokens, does
//     not check it; a wrong token only fails later, when the agent connects).
//     The manifest holds the cattle-system Namespace, the "cattle"
//     ServiceAccount, the cattle-admin ClusterRole and its binding, the
//     kube-apiserver proxy ClusterRole and binding, the cattle-credentials-<key>
//     Secret with the token, the cattle-cluster-agent Deployment (env
//     CATTLE_SERVER, CATTLE_CA_CHECKSUM, CATTLE_CREDENTIAL_NAME, ..., then the
//     cluster's spec.agentEnvVars; image prefixed with the system-default-
//     registry Setting; clusterAgentDeploymentCustomization's tolerations,
//     affinity and resources) and its Service.
//  4. Rancher marks the cluster connected when the agent opens its tunnel with
//     a token of the cluster. Without a kubelet no agent runs here, so the
//     stand-in takes a cattle-cluster-agent Deployment in one of the watched
//     downstream clusters whose credentials Secret holds the cluster's token
//     as the connected agent. It then sets status.ready, agentDeployed and
//     Ready=True, and reports Ready=False "Disconnected" again when that
//     Deployment goes away.
//  5. Once connected, Rancher redeploys its agent through the tunnel with
//     `kubectl apply` (pkg/controllers/management/clusterdeploy), with a
//     system token of its own and the agent features: the stand-in patches
//     the Deployment once, as field manager kubectl-client-side-apply, with a
//     new cattle-credentials Secret and CATTLE_FEATURES.
//  6. Once connected, Rancher generates the Fleet Cluster of the same name in
//     the workspace, labelled like the cluster plus management.cattle.io/
//     cluster-name and cluster-display-name, with the cluster's agentEnvVars
//     (pkg/controllers/provisioningv2/fleetcluster), and keeps its labels in
//     step. Rancher also points it at a kubeconfig Secret so that Fleet
//     deploys its agent; the stand-in leaves that out, as no kubelet could
//     run that agent.
//  7. Deleting the provisioning Cluster removes the Fleet Cluster and the
//     cluster namespace (with its token) before Rancher's finalizer goes.
//
// Not mirrored: authentication of the manifest download beyond the path,
// re-rendering the agent when the cluster's settings change later, cleaning
// the downstream cluster on removal, and everything else Rancher does.
type RancherStandIn struct {
	// URL is the stand-in's own HTTPS address (https://127.0.0.1:<port>).
	URL string
	// CAPEM is the CA certificate of that address: what Rancher's cacerts
	// setting holds, and what fleet_rancher_agent's rancher_ca takes.
	CAPEM []byte

	opts   RancherStandInOptions
	env    *Env
	srv    *httptest.Server
	cancel context.CancelFunc
	done   chan struct{}

	mu         sync.Mutex
	failures   map[string]string // provisioning cluster name -> error message
	redeployed map[string]string // provisioning cluster name -> system token of the redeploy
	fleetSpecs map[string]string // provisioning cluster name -> Fleet Cluster last applied (JSON)
	err        error             // last reconcile error, for Err
}

// RancherStandInOptions configure StartRancherStandIn.
type RancherStandInOptions struct {
	// Namespace is the Fleet workspace whose provisioning Clusters the
	// stand-in serves (a test's own namespace; Rancher's is fleet-default).
	Namespace string
	// Downstreams are the clusters in which the stand-in looks for the
	// cattle-cluster-agent Deployment of an import.
	Downstreams []*Cluster
	// ServerURL is Rancher's server-url setting, the base of the manifest
	// URL; empty means URL. Set it to an unreachable address to test failing
	// downloads.
	ServerURL string
	// LegacyToken makes the stand-in write the token as Rancher did before
	// 2.13.8: in status.token and in the URL and commands, with no Secret.
	LegacyToken bool
}

// Rancher API resources the stand-in works with.
var (
	provisioningClusterGVR = schema.GroupVersionResource{Group: "provisioning.cattle.io", Version: "v1", Resource: "clusters"}
	registrationTokenGVR   = schema.GroupVersionResource{Group: "management.cattle.io", Version: "v3", Resource: "clusterregistrationtokens"}
	rancherSettingGVR      = schema.GroupVersionResource{Group: "management.cattle.io", Version: "v3", Resource: "settings"}
)

const (
	// rancherFinalizer holds a provisioning cluster until its removal is
	// done, as the finalizer of Rancher's removal handler does (the name
	// follows wrangler's convention; nothing depends on it).
	rancherFinalizer = "wrangler.cattle.io/provisioning-cluster-remove"
	rancherVersion   = "v2.15.0"
	agentNamespace   = "cattle-system"
	agentDeployment  = "cattle-cluster-agent"
	// redeployManager is the field manager of `kubectl apply`, which
	// Rancher's agent redeploy runs.
	redeployManager = "kubectl-client-side-apply"
)

// StartRancherStandIn installs the Rancher CRDs (InstallRancherCRDs) and starts
// a stand-in serving opts.Namespace of the upstream cluster. Stop it when the
// test ends (t.Cleanup); Stop also lets go of the clusters it still holds.
func (e *Env) StartRancherStandIn(ctx context.Context, opts RancherStandInOptions) (*RancherStandIn, error) {
	if opts.Namespace == "" {
		return nil, fmt.Errorf("the Rancher stand-in needs a namespace")
	}
	if err := e.InstallRancherCRDs(ctx); err != nil {
		return nil, err
	}
	r := &RancherStandIn{opts: opts, env: e, done: make(chan struct{}),
		failures: map[string]string{}, redeployed: map[string]string{}, fleetSpecs: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/import/{filename}", r.serveImport)
	r.srv = httptest.NewTLSServer(mux) // loopback only
	r.URL = r.srv.URL
	r.CAPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
	loopCtx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.run(loopCtx)
	return r, nil
}

// Stop ends the stand-in. Clusters it still serves lose their Fleet Cluster,
// cluster namespace and finalizer, so that deleting the namespace completes.
func (r *RancherStandIn) Stop() {
	r.cancel()
	<-r.done
	r.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := r.clusters().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for i := range list.Items {
		_ = r.remove(ctx, &list.Items[i])
	}
}

// Err returns the last error of the stand-in's reconcile loop, nil when the
// last round went through.
func (r *RancherStandIn) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// SetClusterError makes the stand-in report, for the provisioning cluster
// name, what Rancher reports when its controllers fail on a cluster: a Ready
// condition with status False, reason "Error" and message (wrangler's
// SetError). An empty message clears it.
func (r *RancherStandIn) SetClusterError(name, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if message == "" {
		delete(r.failures, name)
		return
	}
	r.failures[name] = message
}

func (r *RancherStandIn) clusters() dynamic.ResourceInterface {
	return r.env.Upstream.Dynamic.Resource(provisioningClusterGVR).Namespace(r.opts.Namespace)
}

func (r *RancherStandIn) run(ctx context.Context) {
	defer close(r.done)
	for {
		err := r.reconcile(ctx)
		r.mu.Lock()
		r.err = err
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// reconcile is one round over the workspace's provisioning clusters.
func (r *RancherStandIn) reconcile(ctx context.Context) error {
	list, err := r.clusters().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	agents := r.connectedAgents(ctx)
	var errs []error
	for i := range list.Items {
		c := &list.Items[i]
		if c.GetDeletionTimestamp() != nil {
			err = r.remove(ctx, c)
		} else {
			err = r.reconcileCluster(ctx, c, agents)
		}
		if err != nil && ctx.Err() == nil {
			// One cluster failing does not hold up the others.
			errs = append(errs, fmt.Errorf("Rancher stand-in, cluster %s/%s: %w", c.GetNamespace(), c.GetName(), err))
		}
	}
	return errors.Join(errs...)
}

func (r *RancherStandIn) reconcileCluster(ctx context.Context, c *unstructured.Unstructured, agents map[string]agentRef) error {
	if !hasString(c.GetFinalizers(), rancherFinalizer) {
		c.SetFinalizers(append(c.GetFinalizers(), rancherFinalizer))
		updated, err := r.clusters().Update(ctx, c, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		c = updated
	}
	status, _, _ := unstructured.NestedMap(c.Object, "status")
	if status == nil {
		status = map[string]any{}
	}
	before := runtime.DeepCopyJSON(status)

	// Step 1: the management cluster's name and namespace.
	clusterName, _ := status["clusterName"].(string)
	if clusterName == "" {
		clusterName = "c-m-" + rand.String(8)
		status["clusterName"] = clusterName
		status["fleetWorkspaceName"] = c.GetNamespace()
	}
	namespaces := r.env.Upstream.Core.CoreV1().Namespaces()
	if _, err := namespaces.Get(ctx, clusterName, metav1.GetOptions{}); apierrors.IsNotFound(err) {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: clusterName}}
		if _, err := namespaces.Create(ctx, ns, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	status["observedGeneration"] = c.GetGeneration()

	// Step 2: the registration token.
	token, err := r.ensureToken(ctx, clusterName)
	if err != nil {
		return err
	}

	// Step 4: connected when an agent presents the cluster's token (or, after
	// step 5, the system token of the redeploy).
	r.mu.Lock()
	failure, systemToken := r.failures[c.GetName()], r.redeployed[c.GetName()]
	r.mu.Unlock()
	agent, connected := agents[token]
	if !connected && systemToken != "" {
		agent, connected = agents[systemToken]
	}
	switch {
	case failure != "":
		status["conditions"] = setCondition(status["conditions"], "Ready", "False", "Error", failure)
	case connected:
		status["ready"] = true
		status["agentDeployed"] = true
		status["conditions"] = setCondition(status["conditions"], "Connected", "True", "", "")
		status["conditions"] = setCondition(status["conditions"], "Ready", "True", "", "")
	default:
		status["conditions"] = setCondition(status["conditions"], "Connected", "False", "Disconnected", "Cluster agent is not connected")
		status["conditions"] = setCondition(status["conditions"], "Ready", "False", "Disconnected", "Cluster agent is not connected")
	}
	if !reflect.DeepEqual(before, status) {
		if err := unstructured.SetNestedMap(c.Object, status, "status"); err != nil {
			return err
		}
		updated, err := r.clusters().UpdateStatus(ctx, c, metav1.UpdateOptions{})
		if err != nil {
			return err
		}
		c = updated
	}
	if !connected {
		return nil
	}
	if systemToken == "" {
		if err := r.redeploy(ctx, c.GetName(), agent); err != nil {
			return err
		}
	}
	return r.ensureFleetCluster(ctx, c, clusterName)
}

// ensureToken creates the cluster's default-token and its Secret once, and
// returns the token ("" when its Secret was removed: it is not regenerated).
func (r *RancherStandIn) ensureToken(ctx context.Context, clusterName string) (string, error) {
	tokens := r.env.Upstream.Dynamic.Resource(registrationTokenGVR).Namespace(clusterName)
	crt, err := tokens.Get(ctx, "default-token", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		crt = &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "management.cattle.io/v3", "kind": "ClusterRegistrationToken",
			"metadata": map[string]any{"name": "default-token", "namespace": clusterName},
			"spec":     map[string]any{"clusterName": clusterName},
		}}
		if crt, err = tokens.Create(ctx, crt, metav1.CreateOptions{}); err != nil {
			return "", err
		}
		if !r.opts.LegacyToken {
			secret := &corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Name: "crt-token-default-token", Namespace: clusterName,
					OwnerReferences: []metav1.OwnerReference{{APIVersion: "management.cattle.io/v3",
						Kind: "ClusterRegistrationToken", Name: crt.GetName(), UID: crt.GetUID()}}},
				Type: corev1.SecretTypeOpaque,
				Data: map[string][]byte{"token": []byte(rand.String(54))},
			}
			if _, err := r.env.Upstream.Core.CoreV1().Secrets(clusterName).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
				return "", err
			}
		}
	} else if err != nil {
		return "", err
	}
	status, _, _ := unstructured.NestedStringMap(crt.Object, "status")
	token, urlToken := status["token"], "{token}"
	want := map[string]string{}
	if r.opts.LegacyToken {
		if token == "" {
			token = rand.String(54)
		}
		want["token"], urlToken = token, token
	} else {
		want["tokenSecretName"] = "crt-token-default-token"
		secret, err := r.env.Upstream.Core.CoreV1().Secrets(clusterName).Get(ctx, "crt-token-default-token", metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			token = ""
		case err != nil:
			return "", err
		default:
			token = string(secret.Data["token"])
		}
	}
	server := r.opts.ServerURL
	if server == "" {
		server = r.URL
	}
	manifestURL := server + "/v3/import/" + urlToken + "_" + clusterName + ".yaml"
	want["manifestUrl"] = manifestURL
	want["command"] = "kubectl apply -f " + manifestURL
	want["insecureCommand"] = "curl --insecure -sfL " + manifestURL + " | kubectl apply -f -"
	if !reflect.DeepEqual(status, want) {
		if err := unstructured.SetNestedStringMap(crt.Object, want, "status"); err != nil {
			return "", err
		}
		// No status subresource: Rancher writes a token's status with an update.
		if _, err := tokens.Update(ctx, crt, metav1.UpdateOptions{}); err != nil {
			return "", err
		}
	}
	return token, nil
}

// agentRef is a cattle-cluster-agent Deployment found downstream.
type agentRef struct {
	down       *Cluster
	deployment *appsv1.Deployment
}

// connectedAgents maps the token each downstream agent presents (from the
// Secret its CATTLE_CREDENTIAL_NAME names) to that agent.
func (r *RancherStandIn) connectedAgents(ctx context.Context) map[string]agentRef {
	out := map[string]agentRef{}
	for _, down := range r.opts.Downstreams {
		d, err := down.Core.AppsV1().Deployments(agentNamespace).Get(ctx, agentDeployment, metav1.GetOptions{})
		if err != nil || d.DeletionTimestamp != nil || len(d.Spec.Template.Spec.Containers) == 0 {
			continue
		}
		var credentials string
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			if e.Name == "CATTLE_CREDENTIAL_NAME" {
				credentials = e.Value
			}
		}
		secret, err := down.Core.CoreV1().Secrets(agentNamespace).Get(ctx, credentials, metav1.GetOptions{})
		if err != nil {
			continue
		}
		if token := string(secret.Data["token"]); token != "" {
			out[token] = agentRef{down: down, deployment: d}
		}
	}
	return out
}

// redeploy mirrors Rancher's agent redeploy (step 5): a credentials Secret
// with a new system token, and a `kubectl apply` of the Deployment that
// switches to it and adds CATTLE_FEATURES.
func (r *RancherStandIn) redeploy(ctx context.Context, name string, agent agentRef) error {
	token := rand.String(54)
	secret := credentialsSecret(r.URL, token)
	_, err := agent.down.Core.CoreV1().Secrets(agentNamespace).Create(ctx, secret, metav1.CreateOptions{FieldManager: redeployManager})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"cluster-register","env":[`+
		`{"name":"CATTLE_CREDENTIAL_NAME","value":%q},{"name":"CATTLE_FEATURES","value":"fleet=true,multi-cluster-management=false"}]}],`+
		`"volumes":[{"name":"cattle-credentials","secret":{"secretName":%q}}]}}}}`, secret.Name, secret.Name)
	_, err = agent.down.Core.AppsV1().Deployments(agentNamespace).Patch(ctx, agentDeployment, k8stypes.StrategicMergePatchType,
		[]byte(patch), metav1.PatchOptions{FieldManager: redeployManager})
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.redeployed[name] = token
	r.mu.Unlock()
	return nil
}

// ensureFleetCluster writes the Fleet Cluster Rancher generates (step 6).
func (r *RancherStandIn) ensureFleetCluster(ctx context.Context, c *unstructured.Unstructured, clusterName string) error {
	labels := map[string]any{}
	for k, v := range c.GetLabels() {
		if !strings.Contains(k, "cattle.io") {
			labels[k] = v
		}
	}
	labels["management.cattle.io/cluster-name"] = clusterName
	labels["management.cattle.io/cluster-display-name"] = c.GetName()
	spec := map[string]any{}
	if env, found, _ := unstructured.NestedSlice(c.Object, "spec", "agentEnvVars"); found {
		spec["agentEnvVars"] = env
	}
	fleetCluster := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fleet.cattle.io/v1alpha1", "kind": "Cluster",
		"metadata": map[string]any{"name": c.GetName(), "namespace": c.GetNamespace(), "labels": labels},
		"spec":     spec,
	}}
	desired, err := json.Marshal(fleetCluster.Object)
	if err != nil {
		return err
	}
	r.mu.Lock()
	unchanged := r.fleetSpecs[c.GetName()] == string(desired)
	r.mu.Unlock()
	if unchanged {
		return nil
	}
	clusters := r.env.Upstream.Dynamic.Resource(clusterGVR).Namespace(c.GetNamespace())
	if _, err := clusters.Apply(ctx, c.GetName(), fleetCluster, metav1.ApplyOptions{FieldManager: "rancher", Force: true}); err != nil {
		return err
	}
	r.mu.Lock()
	r.fleetSpecs[c.GetName()] = string(desired)
	r.mu.Unlock()
	return nil
}

// remove is Rancher's removal of a provisioning cluster (step 7).
func (r *RancherStandIn) remove(ctx context.Context, c *unstructured.Unstructured) error {
	if !hasString(c.GetFinalizers(), rancherFinalizer) {
		return nil
	}
	err := r.env.Upstream.Dynamic.Resource(clusterGVR).Namespace(c.GetNamespace()).Delete(ctx, c.GetName(), metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if clusterName, _, _ := unstructured.NestedString(c.Object, "status", "clusterName"); clusterName != "" {
		err := r.env.Upstream.Core.CoreV1().Namespaces().Delete(ctx, clusterName, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	var kept []string
	for _, f := range c.GetFinalizers() {
		if f != rancherFinalizer {
			kept = append(kept, f)
		}
	}
	c.SetFinalizers(kept)
	if _, err := r.clusters().Update(ctx, c, metav1.UpdateOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	r.mu.Lock()
	delete(r.redeployed, c.GetName())
	delete(r.fleetSpecs, c.GetName())
	r.mu.Unlock()
	return nil
}

// serveImport serves the import manifest (step 3).
func (r *RancherStandIn) serveImport(w http.ResponseWriter, req *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	token, clusterName, ok := strings.Cut(strings.TrimSuffix(req.PathValue("filename"), ".yaml"), "_")
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, "invalid filename format, expected {token}_{clusterId}.yaml")
		return
	}
	var spec map[string]any
	list, err := r.clusters().List(req.Context(), metav1.ListOptions{})
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, err.Error())
		return
	}
	for _, c := range list.Items {
		if name, _, _ := unstructured.NestedString(c.Object, "status", "clusterName"); name == clusterName {
			spec, _, _ = unstructured.NestedMap(c.Object, "spec")
		}
	}
	manifest, err := r.renderManifest(req.Context(), token, spec)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, err.Error())
		return
	}
	_, _ = w.Write(manifest)
}

// credentialsSecret is the cattle-credentials-<key> Secret of a token; the
// key is the start of the token's SHA-256, as in Rancher's template.
func credentialsSecret(url, token string) *corev1.Secret {
	sum := sha256.Sum256([]byte(token))
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: "cattle-credentials-" + hex.EncodeToString(sum[:])[:10], Namespace: agentNamespace},
		Type:       corev1.SecretTypeOpaque,
		Data:       map[string][]byte{"url": []byte(url), "token": []byte(token), "namespace": {}},
	}
}

// renderManifest renders the import manifest for token and the cluster's
// spec (nil when no cluster has the name, which Rancher tolerates too).
func (r *RancherStandIn) renderManifest(ctx context.Context, token string, spec map[string]any) ([]byte, error) {
	registry := ""
	if s, err := r.env.Upstream.Dynamic.Resource(rancherSettingGVR).Get(ctx, "system-default-registry", metav1.GetOptions{}); err == nil {
		registry, _, _ = unstructured.NestedString(s.Object, "value")
	}
	image := "rancher/rancher-agent:" + rancherVersion
	if registry != "" {
		image = registry + "/" + image
	}
	var custom struct {
		AgentEnvVars           []corev1.EnvVar `json:"agentEnvVars"`
		ClusterAgentCustomized struct {
			AppendTolerations            []corev1.Toleration          `json:"appendTolerations"`
			OverrideAffinity             *corev1.Affinity             `json:"overrideAffinity"`
			OverrideResourceRequirements *corev1.ResourceRequirements `json:"overrideResourceRequirements"`
		} `json:"clusterAgentDeploymentCustomization"`
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(spec, &custom); spec != nil && err != nil {
		return nil, err
	}
	caSum := sha256.Sum256(r.CAPEM)
	credentials := credentialsSecret(r.URL, token)
	env := append([]corev1.EnvVar{
		{Name: "CATTLE_SERVER", Value: r.URL},
		{Name: "CATTLE_CA_CHECKSUM", Value: hex.EncodeToString(caSum[:])},
		{Name: "CATTLE_CLUSTER", Value: "true"},
		{Name: "CATTLE_K8S_MANAGED", Value: "true"},
		{Name: "CATTLE_SYSTEM_DEFAULT_REGISTRY", Value: registry},
		{Name: "CATTLE_CREDENTIAL_NAME", Value: credentials.Name},
		{Name: "CATTLE_SERVER_VERSION", Value: rancherVersion},
	}, custom.AgentEnvVars...)
	// Without control-plane nodes to copy taints from, Rancher adds these.
	tolerations := append([]corev1.Toleration{
		{Effect: corev1.TaintEffectNoSchedule, Key: "node-role.kubernetes.io/controlplane", Value: "true"},
		{Effect: corev1.TaintEffectNoSchedule, Key: "node-role.kubernetes.io/control-plane", Operator: corev1.TolerationOpExists},
	}, custom.ClusterAgentCustomized.AppendTolerations...)
	affinity := custom.ClusterAgentCustomized.OverrideAffinity
	if affinity == nil {
		affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "kubernetes.io/os", Operator: corev1.NodeSelectorOpNotIn, Values: []string{"windows"}}},
			}}},
		}}
	}
	container := corev1.Container{
		Name: "cluster-register", Image: image, ImagePullPolicy: corev1.PullIfNotPresent, Env: env,
		VolumeMounts: []corev1.VolumeMount{{Name: "cattle-credentials", MountPath: "/cattle-credentials", ReadOnly: true}},
	}
	if rr := custom.ClusterAgentCustomized.OverrideResourceRequirements; rr != nil {
		container.Resources = *rr
	}
	labels := map[string]string{"app": agentDeployment}
	mode := int32(0o500)
	creator := map[string]string{"cattle.io/creator": "norman"}
	objects := []any{
		&rbacv1.ClusterRole{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta: metav1.ObjectMeta{Name: "proxy-clusterrole-kubeapiserver"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes/metrics", "nodes/proxy", "nodes/stats", "nodes/log", "nodes/spec"},
				Verbs: []string{"get", "list", "watch", "create"}}},
		},
		&rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: "proxy-role-binding-kubernetes-master"},
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "proxy-clusterrole-kubeapiserver"},
			Subjects:   []rbacv1.Subject{{APIGroup: "rbac.authorization.k8s.io", Kind: "User", Name: "kube-apiserver"}},
		},
		&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: agentNamespace}},
		&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: metav1.ObjectMeta{Name: "cattle", Namespace: agentNamespace}},
		&rbacv1.ClusterRoleBinding{
			TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			// Rancher's template gives this cluster-scoped object a namespace.
			ObjectMeta: metav1.ObjectMeta{Name: "cattle-admin-binding", Namespace: agentNamespace, Labels: creator},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "cattle", Namespace: agentNamespace}},
			RoleRef:    rbacv1.RoleRef{Kind: "ClusterRole", Name: "cattle-admin", APIGroup: "rbac.authorization.k8s.io"},
		},
		credentials,
		&rbacv1.ClusterRole{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta: metav1.ObjectMeta{Name: "cattle-admin", Labels: creator},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
				{NonResourceURLs: []string{"*"}, Verbs: []string{"*"}}},
		},
		&appsv1.Deployment{
			TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: agentDeployment, Namespace: agentNamespace,
				Annotations: map[string]string{"management.cattle.io/scale-available": "2"}},
			Spec: appsv1.DeploymentSpec{
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: labels},
					Spec: corev1.PodSpec{
						Affinity: affinity, ServiceAccountName: "cattle", Tolerations: tolerations,
						Containers: []corev1.Container{container},
						Volumes: []corev1.Volume{{Name: "cattle-credentials", VolumeSource: corev1.VolumeSource{
							Secret: &corev1.SecretVolumeSource{SecretName: credentials.Name, DefaultMode: &mode}}}},
					},
				},
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: &intstr.IntOrString{IntVal: 0}, MaxSurge: &intstr.IntOrString{IntVal: 1}}},
			},
		},
		&corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: agentDeployment, Namespace: agentNamespace},
			Spec: corev1.ServiceSpec{Selector: labels, Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromInt32(80), Protocol: corev1.ProtocolTCP},
				{Name: "https-internal", Port: 443, TargetPort: intstr.FromInt32(444), Protocol: corev1.ProtocolTCP}}},
		},
	}
	var out []byte
	for _, obj := range objects {
		doc, err := yaml.Marshal(obj)
		if err != nil {
			return nil, err
		}
		out = append(append(append(out, "---\n"...), doc...), '\n')
	}
	return out, nil
}

// setCondition sets a condition in a status' conditions list (as decoded
// from JSON), keeping its time when nothing changes.
func setCondition(list any, condType, status, reason, message string) []any {
	conditions, _ := list.([]any)
	out := make([]any, 0, len(conditions)+1)
	found := false
	for _, item := range conditions {
		c, _ := item.(map[string]any)
		if c != nil && c["type"] == condType {
			found = true
			if c["status"] != status || stringOr(c["reason"]) != reason || stringOr(c["message"]) != message {
				c = newCondition(condType, status, reason, message)
			}
		}
		out = append(out, c)
	}
	if !found {
		out = append(out, newCondition(condType, status, reason, message))
	}
	return out
}

func newCondition(condType, status, reason, message string) map[string]any {
	c := map[string]any{"type": condType, "status": status, "lastUpdateTime": time.Now().UTC().Format(time.RFC3339)}
	if reason != "" {
		c["reason"] = reason
	}
	if message != "" {
		c["message"] = message
	}
	return c
}

func stringOr(v any) string {
	s, _ := v.(string)
	return s
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

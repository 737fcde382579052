package testenv

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/dynamic"
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
//     controllers). The stand-in does the same; its management cluster holds
//     only spec.displayName and spec.fleetWorkspaceName, and it reports
//     Ready=False "Disconnected" until an agent
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
//     registry Setting, or with the management cluster's
//     spec.importedConfig.privateRegistryURL when set (Rancher 2.11 and later
//     prefer it: pkg/image ResolveWithCluster); clusterAgentDeploymentCustomization's tolerations,
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
	managementClusterGVR   = schema.GroupVersionResource{Group: "management.cattle.io", Version: "v3", Resource: "clusters"}
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
	if err := r.ensureManagementCluster(ctx, clusterName, c); err != nil {
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

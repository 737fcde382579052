package testenv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// KubeSphereStandIn plays the part of a KubeSphere host cluster in joining
// member clusters over the agent ("proxy") connection, for tests of the
// provider's KubeSphere resources: no KubeSphere or Tower binary can run
// here. It is NOT KubeSphere. It reproduces only the externally visible
// steps of KubeSphere 3.4 and 4.1 and of Tower v0.2.1 that the provider
// depends on, each documented with the behaviour it mirrors (sources under
// github.com/kubesphere/kubesphere and github.com/kubesphere/tower; the
// research with line references is shared/reviews/kubesphere.md):
//
//  1. The host's configuration: the project's own Cluster CRD (no status
//     subresource, InstallKubeSphereCRDs), and in kubesphere-system the
//     ConfigMap kubesphere-config, key kubesphere.yaml, with
//     multicluster.clusterRole host, the jwtSecret at 3.x's
//     (authentication.jwtSecret) or 4.x's (authentication.issuer.jwtSecret)
//     key, and proxyPublishAddress and agentImage when set (ks-installer's
//     kubesphere-config.yaml.j2 on 3.x, the ks-core chart on 4.x), plus
//     Tower's Service tower (LoadBalancer, port 8080). With TowerIngress the
//     stand-in writes that Service's ingress, as a cloud's load balancer
//     controller would.
//  2. Tower's step (pkg/proxy/proxy.go addCluster): a Cluster with
//     connection type proxy AND joinFederation true that is not Initialized
//     gets a random port in [6000,7000] (kubesphereAPIServerPort = port +
//     10000), a token of 64 hex characters when its token is empty (a
//     pre-set one is kept), the ClusterIP Service mc-<name> (ports 6443 and
//     80 to those ports, selector app=tower), the endpoints
//     https://<ClusterIP>:6443 and http://<ClusterIP>:80, and
//     Initialized=True "Cluster has been initialized". Other Clusters lose
//     mc-<name> and are left alone by Tower. With externalKubeAPIEnabled,
//     mc-<name> is a LoadBalancer and, once it has an ingress,
//     externalKubernetesAPIEndpoint is https://<ingress>:6443.
//  3. The agent's connection (Tower's handleWebsocket, the agent's options):
//     no kubelet runs, so a Deployment kubesphere-system/cluster-agent in
//     one of Members whose agent container is started with --name=<cluster>,
//     --token=<the Cluster's token> and --proxy-server=<the published
//     address> and whose ServiceAccount exists counts as a connected agent.
//     Tower then writes spec.connection.kubeconfig (the real one is a
//     system:masters certificate for the mc-<name> Service; here it is the
//     member's admin kubeconfig, so the controller step can reach it) and
//     AgentAvailable=True "Agent has connected to proxy successfully.". A
//     wrong token is rejected ("Unauthorized agent": nothing changes), an
//     agent dialling another address never arrives. When the Deployment
//     goes, AgentAvailable=False "Agent has not connected to proxy." and the
//     kubeconfig stays.
//  4. The cluster controller's step (pkg/controller/cluster): the finalizer
//     finalizer.cluster.kubesphere.io; nothing more until a kubeconfig
//     exists; Ready=False "Cluster is not available now" while the agent is
//     not connected (3.x, reason "Unable to establish connection with
//     cluster"); then status.uid (the member's kube-system UID),
//     kubernetesVersion, nodeCount; 3.x: Federated=True; 4.x: the ks-core
//     install in the member, reduced to what shows from outside: the
//     member's kubesphere-config with clusterRole member and the host's
//     jwtSecret, the kubesphere-system Namespace annotated with
//     cluster.kubesphere.io/name and host-cluster, and KSCoreReady=True "KS
//     Core is available now"; then kubeSphereVersion and Ready=True "Cluster
//     is available now". SetClusterError makes it report Ready=False with a
//     message instead, as it does when a step fails.
//  5. Deletion: the controller removes a 4.x member's Namespace annotations
//     and its finalizer; Tower deletes mc-<name>. Nothing removes the agent
//     in the member.
//
// Tower and the controller write with full updates of the Cluster, as they
// do; the stand-in makes one update per round for both. Not mirrored: the
// websocket tunnel itself (no traffic reaches the member through the host),
// kubefed, the validating webhook, the Helm install of ks-core, user and
// workspace sync, and everything else KubeSphere does.
type KubeSphereStandIn struct {
	opts   KubeSphereStandInOptions
	env    *Env
	cancel context.CancelFunc
	done   chan struct{}

	mu       sync.Mutex
	failures map[string]string // cluster name -> message of Ready=False
	err      error             // last reconcile error, for Err
}

// KubeSphereStandInOptions configure StartKubeSphereStandIn.
type KubeSphereStandInOptions struct {
	// MajorVersion is the KubeSphere version played: 3 or 4 (default 4).
	MajorVersion int
	// JWTSecret is the host's; empty means a random one.
	JWTSecret string
	// ProxyPublishAddress is written as kubesphere-config's
	// multicluster.proxyPublishAddress, as given: KubeSphere checks nothing.
	ProxyPublishAddress string
	// TowerIngress, when set, is the LoadBalancer ingress hostname of the
	// tower Service; without ProxyPublishAddress the published address is
	// then http://<TowerIngress>:8080.
	TowerIngress string
	// AgentImage is multicluster.agentImage; empty leaves it out.
	AgentImage string
	// Members are the clusters in which the stand-in looks for agents.
	Members []*Cluster
}

// KubeSphere facts the stand-in uses.
const (
	ksNamespace      = "kubesphere-system"
	ksConfigMap      = "kubesphere-config"
	ksConfigKey      = "kubesphere.yaml"
	ksFinalizer      = "finalizer.cluster.kubesphere.io"
	ksAgentName      = "cluster-agent"
	ksTowerPort      = 8080
	ksHostName       = "host"
	ksControllerName = "ks-controller-manager"
)

var ksClusterGVR = schema.GroupVersionResource{Group: "cluster.kubesphere.io", Version: "v1alpha1", Resource: "clusters"}

// StartKubeSphereStandIn installs the CRD and the host's configuration
// (step 1) and starts the stand-in. Stop it when the test ends (t.Cleanup).
// One runs at a time: the Cluster kind and kubesphere-system are cluster-wide.
func (e *Env) StartKubeSphereStandIn(ctx context.Context, opts KubeSphereStandInOptions) (*KubeSphereStandIn, error) {
	if opts.MajorVersion == 0 {
		opts.MajorVersion = 4
	}
	if opts.MajorVersion != 3 && opts.MajorVersion != 4 {
		return nil, fmt.Errorf("the KubeSphere stand-in plays 3.x or 4.x, not %d", opts.MajorVersion)
	}
	if opts.JWTSecret == "" {
		secret, err := randomHex(16)
		if err != nil {
			return nil, err
		}
		opts.JWTSecret = secret
	}
	if err := e.InstallKubeSphereCRDs(ctx); err != nil {
		return nil, err
	}
	k := &KubeSphereStandIn{opts: opts, env: e, done: make(chan struct{}), failures: map[string]string{}}
	if err := k.installHostConfig(ctx); err != nil {
		return nil, err
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	k.cancel = cancel
	go k.run(loopCtx)
	return k, nil
}

// JWTSecret is the host's jwtSecret.
func (k *KubeSphereStandIn) JWTSecret() string { return k.opts.JWTSecret }

// PublishedAddress is where Tower is reached: the address agents must dial.
func (k *KubeSphereStandIn) PublishedAddress() string {
	if k.opts.ProxyPublishAddress != "" {
		return k.opts.ProxyPublishAddress
	}
	if k.opts.TowerIngress != "" {
		return fmt.Sprintf("http://%s:%d", k.opts.TowerIngress, ksTowerPort)
	}
	return ""
}

// Stop ends the stand-in, deletes the Clusters a test left behind (dropping
// the finalizer) and the host's configuration.
func (k *KubeSphereStandIn) Stop() {
	k.cancel()
	<-k.done
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if list, err := k.clusters().List(ctx, metav1.ListOptions{}); err == nil {
		for i := range list.Items {
			c := &list.Items[i]
			_ = k.clusters().Delete(ctx, c.GetName(), metav1.DeleteOptions{})
			_ = k.remove(ctx, c)
		}
	}
	core := k.env.Upstream.Core.CoreV1()
	_ = core.ConfigMaps(ksNamespace).Delete(ctx, ksConfigMap, metav1.DeleteOptions{})
	_ = core.Services(ksNamespace).Delete(ctx, "tower", metav1.DeleteOptions{})
}

// Err returns the last error of the reconcile loop, nil when the last round
// went through.
func (k *KubeSphereStandIn) Err() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.err
}

// SetClusterError makes the controller step report Ready=False with message
// for the cluster name, as KubeSphere does when a step of its reconcile
// fails (e.g. the ks-core install). An empty message clears it.
func (k *KubeSphereStandIn) SetClusterError(name, message string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if message == "" {
		delete(k.failures, name)
		return
	}
	k.failures[name] = message
}

func (k *KubeSphereStandIn) clusters() dynamic.ResourceInterface {
	return k.env.Upstream.Dynamic.Resource(ksClusterGVR)
}

func (k *KubeSphereStandIn) run(ctx context.Context) {
	defer close(k.done)
	for {
		err := k.reconcile(ctx)
		k.mu.Lock()
		k.err = err
		k.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// reconcile is one round over every Cluster.
func (k *KubeSphereStandIn) reconcile(ctx context.Context) error {
	list, err := k.clusters().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	agents := k.connectedAgents(ctx)
	var errs []error
	for i := range list.Items {
		c := &list.Items[i]
		if c.GetDeletionTimestamp() != nil {
			err = k.remove(ctx, c)
		} else {
			err = k.reconcileCluster(ctx, c, agents)
		}
		// A conflict is a write of the provider in between: next round.
		if err != nil && ctx.Err() == nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("KubeSphere stand-in, cluster %s: %w", c.GetName(), err))
		}
	}
	return errors.Join(errs...)
}

func (k *KubeSphereStandIn) reconcileCluster(ctx context.Context, c *unstructured.Unstructured, agents map[string]ksAgent) error {
	before := c.DeepCopy()
	if !hasString(c.GetFinalizers(), ksFinalizer) {
		c.SetFinalizers(append(c.GetFinalizers(), ksFinalizer))
	}
	typ, _, _ := unstructured.NestedString(c.Object, "spec", "connection", "type")
	join, _, _ := unstructured.NestedBool(c.Object, "spec", "joinFederation")
	if typ != "proxy" || !join {
		if err := k.deleteService(ctx, "mc-"+c.GetName()); err != nil {
			return err
		}
	} else {
		if err := k.towerStep(ctx, c); err != nil {
			return err
		}
		k.agentStep(c, agents)
		if err := k.controllerStep(ctx, c); err != nil {
			return err
		}
	}
	if equality.Semantic.DeepEqual(before.Object, c.Object) {
		return nil
	}
	_, err := k.clusters().Update(ctx, c, metav1.UpdateOptions{FieldManager: ksControllerName})
	return err
}

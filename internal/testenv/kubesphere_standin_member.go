package testenv

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// ksAgent is a member's cluster-agent Deployment that reaches Tower.
type ksAgent struct {
	member *Cluster
	token  string
}

// connectedAgents maps the --name of each member's agent that dials the
// published address, and whose ServiceAccount exists (no pod starts
// without it), to that agent (step 3).
func (k *KubeSphereStandIn) connectedAgents(ctx context.Context) map[string]ksAgent {
	out := map[string]ksAgent{}
	published := k.PublishedAddress()
	for _, member := range k.opts.Members {
		d, err := member.Core.AppsV1().Deployments(ksNamespace).Get(ctx, ksAgentName, metav1.GetOptions{})
		if err != nil || d.DeletionTimestamp != nil {
			continue
		}
		pod := d.Spec.Template.Spec
		sa := pod.ServiceAccountName
		if sa == "" {
			sa = "default"
		}
		if _, err := member.Core.CoreV1().ServiceAccounts(ksNamespace).Get(ctx, sa, metav1.GetOptions{}); err != nil {
			continue
		}
		for _, c := range pod.Containers {
			args := agentFlags(append(append([]string{}, c.Command...), c.Args...))
			if c.Name == "agent" && args["proxy-server"] == published && published != "" {
				out[args["name"]] = ksAgent{member: member, token: args["token"]}
			}
		}
	}
	return out
}

// agentFlags reads --key=value flags.
func agentFlags(words []string) map[string]string {
	out := map[string]string{}
	for _, w := range words {
		if key, value, ok := strings.Cut(strings.TrimPrefix(w, "--"), "="); ok && strings.HasPrefix(w, "--") {
			out[key] = value
		}
	}
	return out
}

// agentStep is Tower's side of step 3.
func (k *KubeSphereStandIn) agentStep(c *unstructured.Unstructured, agents map[string]ksAgent) {
	status, _, _ := unstructured.NestedMap(c.Object, "status")
	token, _, _ := unstructured.NestedString(c.Object, "spec", "connection", "token")
	agent, found := agents[c.GetName()]
	switch {
	case found && token != "" && agent.token == token && conditionTrue(status, "Initialized"):
		kubeconfig, err := os.ReadFile(agent.member.Kubeconfig)
		if err != nil {
			return
		}
		setNested(c, base64.StdEncoding.EncodeToString(kubeconfig), "spec", "connection", "kubeconfig")
		status["conditions"] = setCondition(status["conditions"], "AgentAvailable", "True", "", "Agent has connected to proxy successfully.")
	case conditionTrue(status, "AgentAvailable"):
		status["conditions"] = setCondition(status["conditions"], "AgentAvailable", "False", "", "Agent has not connected to proxy.")
	default:
		return // a wrong token: "Unauthorized agent", nothing changes
	}
	_ = unstructured.SetNestedMap(c.Object, status, "status")
}

// controllerStep is step 4.
func (k *KubeSphereStandIn) controllerStep(ctx context.Context, c *unstructured.Unstructured) error {
	status, _, _ := unstructured.NestedMap(c.Object, "status")
	member, err := k.memberClient(c)
	if member == nil || err != nil {
		return err // no kubeconfig yet: the controller waits
	}
	defer func() { _ = unstructured.SetNestedMap(c.Object, status, "status") }()
	if !conditionTrue(status, "AgentAvailable") {
		status["conditions"] = setCondition(status["conditions"], "Ready", "False", "Unable to establish connection with cluster", "Cluster is not available now")
		return nil
	}
	k.mu.Lock()
	failure := k.failures[c.GetName()]
	k.mu.Unlock()
	if failure != "" {
		status["conditions"] = setCondition(status["conditions"], "Ready", "False", "", failure)
		return nil
	}
	kubeSystem, err := member.CoreV1().Namespaces().Get(ctx, "kube-system", metav1.GetOptions{})
	if err != nil {
		status["conditions"] = setCondition(status["conditions"], "Ready", "False", "", err.Error())
		return nil
	}
	status["uid"] = string(kubeSystem.UID)
	version, err := member.Discovery().ServerVersion()
	if err != nil {
		return err
	}
	nodes, err := member.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	status["kubernetesVersion"], status["nodeCount"] = version.GitVersion, int64(len(nodes.Items))
	if k.opts.MajorVersion == 3 {
		status["conditions"] = setCondition(status["conditions"], "Federated", "True", "", "Cluster has joined federation control plane successfully")
		status["kubeSphereVersion"] = "v3.4.1"
	} else {
		if err := k.installKSCore(ctx, member, c.GetName()); err != nil {
			status["conditions"] = setCondition(status["conditions"], "KSCoreReady", "False", "", "KS Core installation failed: "+err.Error())
			return nil
		}
		status["conditions"] = setCondition(status["conditions"], "KSCoreReady", "True", "", "KS Core is available now")
		status["kubeSphereVersion"] = "v4.1.3"
	}
	status["conditions"] = setCondition(status["conditions"], "Ready", "True", "Ready", "Cluster is available now")
	return nil
}

// memberClient connects with the kubeconfig Tower wrote; nil without one.
func (k *KubeSphereStandIn) memberClient(c *unstructured.Unstructured) (kubernetes.Interface, error) {
	encoded, _, _ := unstructured.NestedString(c.Object, "spec", "connection", "kubeconfig")
	if encoded == "" {
		return nil, nil
	}
	kubeconfig, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("spec.connection.kubeconfig: %w", err)
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// installKSCore is what shows from outside of the 4.x host's ks-core
// install in a member: the member's kubesphere-config (role member, the
// host's jwtSecret) and the kubesphere-system Namespace annotations.
func (k *KubeSphereStandIn) installKSCore(ctx context.Context, member kubernetes.Interface, name string) error {
	config, err := ksConfigYAML(4, k.opts.JWTSecret, map[string]any{"clusterRole": "member"})
	if err != nil {
		return err
	}
	cms := member.CoreV1().ConfigMaps(ksNamespace)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: ksConfigMap, Namespace: ksNamespace}, Data: map[string]string{ksConfigKey: config}}
	if _, err := cms.Create(ctx, cm, metav1.CreateOptions{FieldManager: ksControllerName}); ignoreAlreadyExists(err) != nil {
		return err
	}
	patch := fmt.Sprintf(`{"metadata":{"annotations":{"cluster.kubesphere.io/name":%q,"cluster.kubesphere.io/host-cluster":%q}}}`, name, ksHostName)
	_, err = member.CoreV1().Namespaces().Patch(ctx, ksNamespace, k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: ksControllerName})
	return err
}

// remove is step 5, for a Cluster being deleted.
func (k *KubeSphereStandIn) remove(ctx context.Context, c *unstructured.Unstructured) error {
	if err := k.deleteService(ctx, "mc-"+c.GetName()); err != nil {
		return err
	}
	if !hasString(c.GetFinalizers(), ksFinalizer) {
		return nil
	}
	status, _, _ := unstructured.NestedMap(c.Object, "status")
	if k.opts.MajorVersion == 4 && conditionTrue(status, "Ready") {
		if member, err := k.memberClient(c); err == nil && member != nil {
			patch := `{"metadata":{"annotations":{"cluster.kubesphere.io/name":null,"cluster.kubesphere.io/host-cluster":null}}}`
			_, err := member.CoreV1().Namespaces().Patch(ctx, ksNamespace, k8stypes.MergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: ksControllerName})
			if err != nil && !apierrors.IsNotFound(err) {
				return err
			}
		}
	}
	var kept []string
	for _, f := range c.GetFinalizers() {
		if f != ksFinalizer {
			kept = append(kept, f)
		}
	}
	c.SetFinalizers(kept)
	_, err := k.clusters().Update(ctx, c, metav1.UpdateOptions{FieldManager: ksControllerName})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

// InstallMember prepares member as ks-installer prepares a KubeSphere 3.x
// member (roles/ks-core): the kubesphere-system Namespace, the kubesphere
// ServiceAccount bound to cluster-admin (the 3.x agent runs as it), and
// kubesphere-config with multicluster.clusterRole member and jwtSecret
// (which must be the host's for logins to work: the one the provider
// checks). A 4.x member needs none of it.
func InstallMember(ctx context.Context, member *Cluster, jwtSecret string) error {
	core := member.Core.CoreV1()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ksNamespace}}
	if _, err := core.Namespaces().Create(ctx, ns, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
		return err
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "kubesphere", Namespace: ksNamespace}}
	if _, err := core.ServiceAccounts(ksNamespace).Create(ctx, sa, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
		return err
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "kubesphere"},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "kubesphere", Namespace: ksNamespace}},
	}
	if _, err := member.Core.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
		return err
	}
	config, err := ksConfigYAML(3, jwtSecret, map[string]any{"clusterRole": "member"})
	if err != nil {
		return err
	}
	return upsertConfigMap(ctx, member, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: ksConfigMap, Namespace: ksNamespace},
		Data: map[string]string{ksConfigKey: config}})
}

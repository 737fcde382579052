package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/yaml"
)

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
	manifest, err := r.renderManifest(req.Context(), token, clusterName, spec)
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
// management name and spec (nil when no cluster has the name, which Rancher
// tolerates too).
func (r *RancherStandIn) renderManifest(ctx context.Context, token, clusterName string, spec map[string]any) ([]byte, error) {
	registry := ""
	if s, err := r.env.Upstream.Dynamic.Resource(rancherSettingGVR).Get(ctx, "system-default-registry", metav1.GetOptions{}); err == nil {
		registry, _, _ = unstructured.NestedString(s.Object, "value")
	}
	if m, err := r.env.Upstream.Dynamic.Resource(managementClusterGVR).Get(ctx, clusterName, metav1.GetOptions{}); err == nil {
		if own, _, _ := unstructured.NestedString(m.Object, "spec", "importedConfig", "privateRegistryURL"); own != "" {
			registry = own
		}
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

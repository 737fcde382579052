package kubesphere

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/fleetform/terraform-provider-fleet/internal/fleet"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
)

// The agent manifest ("agent.yaml" in the console) is rendered here, as
// KubeSphere renders it, rather than downloaded: KubeSphere serves it only
// to console users (/kapis/..., OAuth). KubeSphere 3.x
// (generateDefaultDeployment, ks-apiserver pkg/kapis/cluster/v1alpha1/handler.go
// @ v3.4.1) renders one Deployment kubesphere-system/cluster-agent running
// as the ServiceAccount kubesphere that the member's own KubeSphere has; 4.x
// (the tower extension's pkg/apis/v1alpha1/handler.go) renders the
// Namespace, a ServiceAccount tower bound to cluster-admin, and the same
// Deployment running as tower.

const (
	agentDeployment = "cluster-agent"
	// agentKeepalive and the services are KubeSphere's fixed arguments.
	agentKeepalive         = "10s"
	agentKubeSphereService = "ks-apiserver.kubesphere-system.svc:80"
	agentKubernetesService = "kubernetes.default.svc:443"
)

// agentSpec is what the manifest is rendered from.
type agentSpec struct {
	cluster, token, proxyServer, image string
	majorVersion                       int
	replicas                           int32
	// resources nil: KubeSphere's (limits cpu 1, memory 200M; requests
	// 100m, 100M).
	resources   *corev1.ResourceRequirements
	tolerations []corev1.Toleration
	env         []corev1.EnvVar
}

// agentServiceAccount is the ServiceAccount the agent runs as: its token is
// what Tower uses on the member, with cluster-admin rights.
func (s agentSpec) serviceAccount() string {
	if s.majorVersion == 3 {
		return "kubesphere"
	}
	return "tower"
}

// render returns the manifest's objects in the order KubeSphere lists them.
func (s agentSpec) render() ([]*unstructured.Unstructured, error) {
	labels := map[string]string{"app": "agent", "app.kubernetes.io/part-of": "tower"}
	resources := corev1.ResourceRequirements{
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("200M")},
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("100M")},
	}
	if s.resources != nil {
		resources = *s.resources
	}
	replicas := s.replicas
	deployment := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: agentDeployment, Namespace: ks.SystemNamespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					ServiceAccountName: s.serviceAccount(),
					Tolerations:        s.tolerations,
					Containers: []corev1.Container{{
						Name:  "agent",
						Image: s.image,
						Command: []string{"/agent", "--name=" + s.cluster, "--token=" + s.token, "--proxy-server=" + s.proxyServer,
							"--keepalive=" + agentKeepalive, "--kubesphere-service=" + agentKubeSphereService,
							"--kubernetes-service=" + agentKubernetesService, "--v=0"},
						Env:       s.env,
						Resources: resources,
					}},
				},
			},
		},
	}
	var objects []any
	if s.majorVersion != 3 {
		objects = append(objects,
			&corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: ks.SystemNamespace}},
			&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
				ObjectMeta: metav1.ObjectMeta{Name: "tower", Namespace: ks.SystemNamespace}},
			&rbacv1.ClusterRoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
				ObjectMeta: metav1.ObjectMeta{Name: "tower"},
				RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "cluster-admin"},
				Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "tower", Namespace: ks.SystemNamespace}},
			})
	}
	objects = append(objects, deployment)
	out := make([]*unstructured.Unstructured, 0, len(objects))
	for _, obj := range objects {
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, err
		}
		// What a typed object marshals without being set: not the manifest's.
		unstructured.RemoveNestedField(u, "metadata", "creationTimestamp")
		unstructured.RemoveNestedField(u, "spec", "template", "metadata", "creationTimestamp")
		unstructured.RemoveNestedField(u, "status")
		out = append(out, &unstructured.Unstructured{Object: u})
	}
	return out, nil
}

// resourceRequirements converts the quantities of the resources attribute
// (checked by agentspec.ExpandResources); nil stays nil.
func resourceRequirements(in *fleet.ResourceRequirements) *corev1.ResourceRequirements {
	if in == nil {
		return nil
	}
	list := func(m map[string]intstr.IntOrString) corev1.ResourceList {
		if len(m) == 0 {
			return nil
		}
		out := corev1.ResourceList{}
		for name, q := range m {
			if parsed, err := resource.ParseQuantity(q.String()); err == nil {
				out[corev1.ResourceName(name)] = parsed
			}
		}
		return out
	}
	return &corev1.ResourceRequirements{Limits: list(in.Limits), Requests: list(in.Requests)}
}

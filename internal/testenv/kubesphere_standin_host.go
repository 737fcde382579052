package testenv

import (
	"context"
	mathrand "math/rand/v2"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// The host's side of the KubeSphere stand-in: its configuration (step 1)
// and Tower's step (step 2); see KubeSphereStandIn.

// installHostConfig is step 1.
func (k *KubeSphereStandIn) installHostConfig(ctx context.Context) error {
	core := k.env.Upstream.Core.CoreV1()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ksNamespace}}
	if _, err := core.Namespaces().Create(ctx, ns, metav1.CreateOptions{}); ignoreAlreadyExists(err) != nil {
		return err
	}
	multicluster := map[string]any{"clusterRole": "host", "hostClusterName": ksHostName, "proxyPublishService": "tower.kubesphere-system.svc"}
	if k.opts.ProxyPublishAddress != "" {
		multicluster["proxyPublishAddress"] = k.opts.ProxyPublishAddress
	}
	if k.opts.AgentImage != "" {
		multicluster["agentImage"] = k.opts.AgentImage
	}
	config, err := ksConfigYAML(k.opts.MajorVersion, k.opts.JWTSecret, multicluster)
	if err != nil {
		return err
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: ksConfigMap, Namespace: ksNamespace}, Data: map[string]string{ksConfigKey: config}}
	if err := upsertConfigMap(ctx, k.env.Upstream, cm); err != nil {
		return err
	}
	tower := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "tower", Namespace: ksNamespace, Labels: map[string]string{"app": "tower"}},
		Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "tower"},
			Ports: []corev1.ServicePort{{Name: "proxy", Port: ksTowerPort, TargetPort: intstr.FromInt32(ksTowerPort), Protocol: corev1.ProtocolTCP}}},
	}
	svc, err := core.Services(ksNamespace).Get(ctx, "tower", metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		svc, err = core.Services(ksNamespace).Create(ctx, tower, metav1.CreateOptions{})
	}
	if err != nil {
		return err
	}
	svc.Status.LoadBalancer.Ingress = nil
	if k.opts.TowerIngress != "" {
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: k.opts.TowerIngress}}
	}
	_, err = core.Services(ksNamespace).UpdateStatus(ctx, svc, metav1.UpdateOptions{})
	return err
}

// ksConfigYAML renders kubesphere.yaml with the jwtSecret at the version's key.
func ksConfigYAML(major int, jwtSecret string, multicluster map[string]any) (string, error) {
	auth := map[string]any{"jwtSecret": jwtSecret}
	if major == 4 {
		auth = map[string]any{"issuer": map[string]any{"jwtSecret": jwtSecret}}
	}
	data, err := yaml.Marshal(map[string]any{"authentication": auth, "multicluster": multicluster})
	return string(data), err
}

func upsertConfigMap(ctx context.Context, c *Cluster, cm *corev1.ConfigMap) error {
	cms := c.Core.CoreV1().ConfigMaps(cm.Namespace)
	_, err := cms.Create(ctx, cm, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		_, err = cms.Update(ctx, cm, metav1.UpdateOptions{})
	}
	return err
}

// towerStep is step 2.
func (k *KubeSphereStandIn) towerStep(ctx context.Context, c *unstructured.Unstructured) error {
	status, _, _ := unstructured.NestedMap(c.Object, "status")
	if status == nil {
		status = map[string]any{}
	}
	external, _, _ := unstructured.NestedBool(c.Object, "spec", "externalKubeAPIEnabled")
	if !conditionTrue(status, "Initialized") {
		port := int64(6000 + mathrand.IntN(1001))
		if token, _, _ := unstructured.NestedString(c.Object, "spec", "connection", "token"); token == "" {
			token, err := randomHex(32)
			if err != nil {
				return err
			}
			setNested(c, token, "spec", "connection", "token")
		}
		setNested(c, port, "spec", "connection", "kubernetesAPIServerPort")
		setNested(c, port+10000, "spec", "connection", "kubesphereAPIServerPort")
		svc, err := k.ensureMemberService(ctx, c.GetName(), port, external)
		if err != nil {
			return err
		}
		setNested(c, "https://"+svc.Spec.ClusterIP+":6443", "spec", "connection", "kubernetesAPIEndpoint")
		setNested(c, "http://"+svc.Spec.ClusterIP+":80", "spec", "connection", "kubesphereAPIEndpoint")
		status["conditions"] = setCondition(status["conditions"], "Initialized", "True", "Initialized", "Cluster has been initialized")
	} else if external {
		port, _, _ := unstructured.NestedInt64(c.Object, "spec", "connection", "kubernetesAPIServerPort")
		svc, err := k.ensureMemberService(ctx, c.GetName(), port, true)
		if err != nil {
			return err
		}
		if ingress := svc.Status.LoadBalancer.Ingress; len(ingress) > 0 {
			setNested(c, "https://"+ingress[0].Hostname+":6443", "spec", "connection", "externalKubernetesAPIEndpoint")
			status["conditions"] = setCondition(status["conditions"], "ExternalAccessReady", "True", "", "")
		}
	}
	return unstructured.SetNestedMap(c.Object, status, "status")
}

// ensureMemberService creates or updates mc-<name>; a LoadBalancer gets the
// ingress <name>.lb.test, as a cloud's load balancer controller would give.
func (k *KubeSphereStandIn) ensureMemberService(ctx context.Context, name string, port int64, loadBalancer bool) (*corev1.Service, error) {
	services := k.env.Upstream.Core.CoreV1().Services(ksNamespace)
	want := corev1.ServiceSpec{
		Type:     corev1.ServiceTypeClusterIP,
		Selector: map[string]string{"app": "tower", "app.kubernetes.io/name": "tower"},
		Ports: []corev1.ServicePort{
			{Name: "kubernetes", Port: 6443, TargetPort: intstr.FromInt32(int32(port)), Protocol: corev1.ProtocolTCP},
			{Name: "kubesphere", Port: 80, TargetPort: intstr.FromInt32(int32(port + 10000)), Protocol: corev1.ProtocolTCP},
		},
	}
	if loadBalancer {
		want.Type = corev1.ServiceTypeLoadBalancer
	}
	svc, err := services.Get(ctx, "mc-"+name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		svc, err = services.Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "mc-" + name, Namespace: ksNamespace}, Spec: want}, metav1.CreateOptions{})
	case err == nil && (svc.Spec.Type != want.Type || !equality.Semantic.DeepEqual(svc.Spec.Selector, want.Selector)):
		svc.Spec.Type, svc.Spec.Selector, svc.Spec.Ports = want.Type, want.Selector, want.Ports
		svc, err = services.Update(ctx, svc, metav1.UpdateOptions{})
	}
	if err != nil || !loadBalancer || len(svc.Status.LoadBalancer.Ingress) > 0 {
		return svc, err
	}
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: name + ".lb.test"}}
	return services.UpdateStatus(ctx, svc, metav1.UpdateOptions{})
}

func (k *KubeSphereStandIn) deleteService(ctx context.Context, name string) error {
	err := k.env.Upstream.Core.CoreV1().Services(ksNamespace).Delete(ctx, name, metav1.DeleteOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func setNested(c *unstructured.Unstructured, value any, fields ...string) {
	_ = unstructured.SetNestedField(c.Object, value, fields...) // the path holds maps only
}

func conditionTrue(status map[string]any, condType string) bool {
	conditions, _ := status["conditions"].([]any)
	for _, item := range conditions {
		if c, _ := item.(map[string]any); c != nil && c["type"] == condType {
			return c["status"] == "True"
		}
	}
	return false
}

package kubesphere

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/fleetform/terraform-provider-fleet/internal/downstream"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
	ks "github.com/fleetform/terraform-provider-fleet/internal/kubesphere"
)

// hostInfo is what the provider reads of the KubeSphere host it connects to.
type hostInfo struct {
	config *ks.Config
	// proxyAddress is the address KubeSphere publishes for agents, as
	// KubeSphere resolves it (populateProxyAddress in ks-apiserver 3.x, the
	// tower extension's handler on 4.x); "" when it has none, and then
	// noProxyAddress says why.
	proxyAddress, noProxyAddress string
	// proxyAddressSource names where proxyAddress came from, for messages.
	proxyAddressSource string
}

var configMapRef = ks.SystemNamespace + "/" + ks.ConfigMapName

// readKubeSphereConfig reads kubesphere-config of a cluster; nil, nil when
// the cluster has none.
func readKubeSphereConfig(ctx context.Context, core kubernetes.Interface) (*ks.Config, error) {
	cm, err := core.CoreV1().ConfigMaps(ks.SystemNamespace).Get(ctx, ks.ConfigMapName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read ConfigMap %s: %w", configMapRef, err)
	}
	config, err := ks.ParseConfig(cm.Data[ks.ConfigKey])
	if err != nil {
		return nil, fmt.Errorf("ConfigMap %s: %w", configMapRef, err)
	}
	return config, nil
}

// readHost reads the host's kubesphere-config and resolves the published
// proxy address: multicluster.proxyPublishAddress when set, else the
// LoadBalancer ingress of multicluster.proxyPublishService, as
// http://<ip or hostname>:<its first port>.
func readHost(ctx context.Context, c *kube.Client) (*hostInfo, error) {
	core, err := c.Core()
	if err != nil {
		return nil, err
	}
	config, err := readKubeSphereConfig(ctx, core)
	if err != nil {
		return nil, err
	}
	if config == nil {
		return nil, fmt.Errorf("the cluster the provider connects to has no ConfigMap %s: is it a KubeSphere host?", configMapRef)
	}
	if role := config.MultiCluster.ClusterRole; role != "host" {
		return nil, fmt.Errorf("ConfigMap %s has multicluster.clusterRole %q: only a host cluster manages members", configMapRef, role)
	}
	h := &hostInfo{config: config}
	if addr := config.MultiCluster.ProxyPublishAddress; addr != "" {
		h.proxyAddress = addr
		h.proxyAddressSource = "multicluster.proxyPublishAddress of ConfigMap " + configMapRef
		return h, nil
	}
	namespace, name := config.PublishService()
	svc, err := core.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		h.noProxyAddress = fmt.Sprintf("there is no Service %s/%s (multicluster.proxyPublishService) and no multicluster.proxyPublishAddress", namespace, name)
		return h, nil
	case err != nil:
		return nil, fmt.Errorf("read Service %s/%s: %w", namespace, name, err)
	}
	ingress := svc.Status.LoadBalancer.Ingress
	if len(ingress) == 0 || len(svc.Spec.Ports) == 0 {
		h.noProxyAddress = fmt.Sprintf("the LoadBalancer of Service %s/%s has no address yet (<pending>) and multicluster.proxyPublishAddress is not set", namespace, name)
		return h, nil
	}
	host := ingress[0].IP
	if host == "" {
		host = ingress[0].Hostname
	}
	h.proxyAddress = "http://" + host + ":" + strconv.Itoa(int(svc.Spec.Ports[0].Port))
	h.proxyAddressSource = fmt.Sprintf("the LoadBalancer address of Service %s/%s", namespace, name)
	return h, nil
}

// fingerprint identifies a secret in messages without revealing it.
func fingerprint(secret string) string {
	if secret == "" {
		return "(empty)"
	}
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:])[:16]
}

// checkMember refuses a member the agent connection would join in a broken
// state, before anything is applied. On 3.x the member runs its own
// KubeSphere, and logins fail when its jwtSecret is not the host's
// ("signature is invalid", kubesphere/kubesphere#2406, #5344), which
// KubeSphere itself never checks for proxy members: the provider does, and
// names both secrets by fingerprint only. On 4.x the host installs
// KubeSphere in the member with its own secret; a create refuses a member
// that another host already manages (its kubesphere-system Namespace
// carries another cluster's cluster.kubesphere.io annotations).
func checkMember(ctx context.Context, down *downstream.Cluster, host *hostInfo, cluster string, creating bool) error {
	if host.config.MajorVersion() == 3 {
		member, err := readKubeSphereConfig(ctx, down.Core())
		if err != nil {
			return err
		}
		if member == nil {
			return fmt.Errorf("the member at %s has no ConfigMap %s: a KubeSphere 3.x host joins members that run KubeSphere 3.x "+
				"themselves, installed with multicluster.clusterRole member and the host's jwtSecret", down.Host(), configMapRef)
		}
		if role := member.MultiCluster.ClusterRole; role != "member" {
			return fmt.Errorf("the member at %s has multicluster.clusterRole %q in ConfigMap %s; set it to member", down.Host(), role, configMapRef)
		}
		if hostSecret, memberSecret := host.config.JWTSecret(), member.JWTSecret(); hostSecret != memberSecret {
			return fmt.Errorf("the member's authentication.jwtSecret (%s) is not the host's (%s): logins to the member would fail. "+
				"Set the member's jwtSecret in its ConfigMap %s (ks-installer's ClusterConfiguration) to the host's",
				fingerprint(memberSecret), fingerprint(hostSecret), configMapRef)
		}
		return nil
	}
	if !creating {
		return nil
	}
	ns, err := down.Core().CoreV1().Namespaces().Get(ctx, ks.SystemNamespace, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read Namespace %s of the member: %w", ks.SystemNamespace, err)
	}
	if managedBy := ns.Annotations[ks.HostClusterAnnotation]; managedBy != "" && ns.Annotations[ks.ClusterNameAnnotation] != cluster {
		return fmt.Errorf("the member at %s is managed by host cluster %q as %q (annotations of its Namespace %s): remove it from "+
			"that host first", down.Host(), managedBy, ns.Annotations[ks.ClusterNameAnnotation], ks.SystemNamespace)
	}
	return nil
}

package testenv

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/utils/ptr"
)

// standinTokenLifetime is how long a pod's service-account token lasts. The
// kubelet rotates the projected token file; here the token sits in a
// kubeconfig the process reads once, so it must outlive any test session
// (`make testenv-up` may run for days). A restarted container gets a new one.
const standinTokenLifetime = 30 * 24 * time.Hour

// serviceAccountKubeconfig writes, for one container of the pod, a kubeconfig
// holding a TokenRequest token of the pod's service account: the process
// then has exactly the permissions the chart's RBAC grants, and a missing one
// fails as in a cluster. The kubelet mounts the token at
// /var/run/secrets/kubernetes.io/serviceaccount for rest.InClusterConfig; that
// path is the machine's, shared by every environment on it (and not writable
// without root), while every Fleet binary reads KUBECONFIG before it tries the
// in-cluster configuration (controller-runtime's GetConfig, wrangler's
// loading rules).
func (s *KubeletStandin) serviceAccountKubeconfig(ctx context.Context, p *standinPod, container string) (string, error) {
	account := p.spec.ServiceAccountName
	if account == "" {
		account = "default"
	}
	token, err := s.cluster.Core.CoreV1().ServiceAccounts(s.namespace).CreateToken(ctx, account, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(standinTokenLifetime.Seconds()))},
	}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("token of service account %s/%s: %w", s.namespace, account, err)
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[s.cluster.Name] = &clientcmdapi.Cluster{Server: s.cluster.Host, CertificateAuthorityData: s.cluster.CAPEM}
	cfg.AuthInfos[account] = &clientcmdapi.AuthInfo{Token: token.Status.Token}
	cfg.Contexts[p.name] = &clientcmdapi.Context{Cluster: s.cluster.Name, AuthInfo: account, Namespace: s.namespace}
	cfg.CurrentContext = p.name
	path := filepath.Join(p.dir, container+".kubeconfig")
	return path, clientcmd.WriteToFile(*cfg, path)
}

// containerEnv resolves the container's envFrom and env as the kubelet does:
// envFrom first, env after (a later name wins), references read from the
// API at each start. A missing reference that is not optional fails the
// start, which is retried.
func (s *KubeletStandin) containerEnv(ctx context.Context, p *standinPod, c corev1.Container) ([]string, error) {
	var env []string
	for _, from := range c.EnvFrom {
		data, err := s.envSource(ctx, from)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if len(validation.IsEnvVarName(from.Prefix+k)) == 0 { // the kubelet skips invalid names too
				env = append(env, from.Prefix+k+"="+data[k])
			}
		}
	}
	for _, v := range c.Env {
		value, found, err := s.envValue(ctx, p, v)
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", v.Name, err)
		}
		if found {
			env = append(env, v.Name+"="+value)
		}
	}
	return env, nil
}

func (s *KubeletStandin) envSource(ctx context.Context, from corev1.EnvFromSource) (map[string]string, error) {
	switch {
	case from.ConfigMapRef != nil:
		cm, err := s.cluster.Core.CoreV1().ConfigMaps(s.namespace).Get(ctx, from.ConfigMapRef.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) && ptr.Deref(from.ConfigMapRef.Optional, false) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("envFrom: %w", err)
		}
		return cm.Data, nil
	case from.SecretRef != nil:
		secret, err := s.cluster.Core.CoreV1().Secrets(s.namespace).Get(ctx, from.SecretRef.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) && ptr.Deref(from.SecretRef.Optional, false) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("envFrom: %w", err)
		}
		data := make(map[string]string, len(secret.Data))
		for k, v := range secret.Data {
			data[k] = string(v)
		}
		return data, nil
	}
	return nil, nil
}

// envValue resolves one variable; found is false for an optional reference
// to something missing (the kubelet leaves the variable out).
func (s *KubeletStandin) envValue(ctx context.Context, p *standinPod, v corev1.EnvVar) (value string, found bool, err error) {
	from := v.ValueFrom
	switch {
	case from == nil:
		return v.Value, true, nil
	case from.FieldRef != nil:
		value, err := s.podField(p, from.FieldRef.FieldPath)
		return value, err == nil, err
	case from.SecretKeyRef != nil:
		ref := from.SecretKeyRef
		secret, err := s.cluster.Core.CoreV1().Secrets(s.namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return "", false, optionalMissing(err, ref.Optional)
		}
		data, ok := secret.Data[ref.Key]
		if !ok {
			return "", false, optionalMissing(fmt.Errorf("secret %s: %w %s", ref.Name, errNoSuchKey, ref.Key), ref.Optional)
		}
		return string(data), true, nil
	case from.ConfigMapKeyRef != nil:
		ref := from.ConfigMapKeyRef
		cm, err := s.cluster.Core.CoreV1().ConfigMaps(s.namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return "", false, optionalMissing(err, ref.Optional)
		}
		if data, ok := cm.Data[ref.Key]; ok {
			return data, true, nil
		}
		if data, ok := cm.BinaryData[ref.Key]; ok {
			return string(data), true, nil
		}
		return "", false, optionalMissing(fmt.Errorf("configmap %s: %w %s", ref.Name, errNoSuchKey, ref.Key), ref.Optional)
	}
	return "", false, errors.New("the kubelet stand-in resolves value, fieldRef, secretKeyRef and configMapKeyRef only")
}

// errNoSuchKey is a reference to a key its Secret or ConfigMap lacks.
var errNoSuchKey = errors.New("no such key")

// optionalMissing drops err when it says an optional reference names a
// missing object or key.
func optionalMissing(err error, optional *bool) error {
	if ptr.Deref(optional, false) && (apierrors.IsNotFound(err) || errors.Is(err, errNoSuchKey)) {
		return nil
	}
	return err
}

// podField is a fieldRef's value for the pod the stand-in runs: it has no
// IP of its own, so both the pod's and the host's are loopback.
func (s *KubeletStandin) podField(p *standinPod, fieldPath string) (string, error) {
	switch fieldPath {
	case "metadata.name":
		return p.name, nil
	case "metadata.namespace":
		return s.namespace, nil
	case "spec.serviceAccountName":
		return p.spec.ServiceAccountName, nil
	case "spec.nodeName":
		return "kubelet-standin", nil
	case "status.podIP", "status.podIPs", "status.hostIP", "status.hostIPs":
		return "127.0.0.1", nil
	}
	return "", fmt.Errorf("fieldRef %s is not one the kubelet stand-in knows", fieldPath)
}

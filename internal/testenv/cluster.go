package testenv

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Cluster is one running Kubernetes control plane: etcd, kube-apiserver and
// kube-controller-manager, all on loopback.
type Cluster struct {
	Name       string // unique within the environment; also names its logs
	Host       string // https://127.0.0.1:<port>
	Kubeconfig string // path of an admin kubeconfig with embedded credentials
	CAPEM      []byte

	rest    *rest.Config
	Core    kubernetes.Interface
	Dynamic dynamic.Interface

	dir   string // data of a cluster this process started; empty when attached
	mu    sync.Mutex
	procs []*process // this cluster's processes and the agents run against it, in start order
}

// RESTConfig returns a copy of the admin client configuration.
func (c *Cluster) RESTConfig() *rest.Config { return rest.CopyConfig(c.rest) }

// Stop ends, newest first, the processes this process started for the
// cluster: its control plane when this process started the cluster, and the
// agents run against it. Then it removes the cluster's data; the logs stay in
// Env.LogDir. The clusters of an attached environment keep running: only
// their agents stop. Safe to call more than once.
func (c *Cluster) Stop() {
	c.mu.Lock()
	procs := c.procs
	c.procs = nil
	c.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(10 * time.Second)
	}
	if len(procs) > 0 && c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

// track records a process that belongs to c, so Stop ends it.
func (c *Cluster) track(p *process) {
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
}

// clusterDir makes a data folder of its own for a new cluster: e.Dir/<name>,
// or e.Dir/<name>-<random> when that is taken (several downstream clusters, or
// an attached environment whose server already uses the name). Its base name
// becomes the cluster name, so logs and kubeconfig contexts do not collide.
func (e *Env) clusterDir(name string) (string, error) {
	dir := filepath.Join(e.Dir, name)
	if err := os.Mkdir(dir, 0o700); err == nil {
		return dir, nil
	} else if !os.IsExist(err) {
		return "", err
	}
	return os.MkdirTemp(e.Dir, name+"-")
}

// startCluster starts etcd, kube-apiserver and kube-controller-manager in a
// new folder under e.Dir and waits until each is really ready. On error the
// processes started so far are stopped.
func (e *Env) startCluster(ctx context.Context, name string) (_ *Cluster, err error) {
	dir, err := e.clusterDir(name)
	if err != nil {
		return nil, err
	}
	name = filepath.Base(dir)
	c := &Cluster{Name: name, dir: dir}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	start := func(proc, binary string, args []string) (*process, error) {
		p, err := e.start(proc, binary, args, nil)
		if err == nil {
			c.track(p)
		}
		return p, err
	}
	certs, err := newPKI(filepath.Join(dir, "pki"))
	if err != nil {
		return nil, fmt.Errorf("%s pki: %w", name, err)
	}
	ports, err := freePorts(3)
	if err != nil {
		return nil, err
	}
	etcdClient, etcdPeer, apiPort := ports[0], ports[1], ports[2]
	etcdURL := "http://" + loopback(etcdClient)

	e.logf("starting %s etcd on %s", name, etcdURL)
	etcd, err := start(name+"-etcd", "etcd", []string{
		"--name=" + name,
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + etcdURL,
		"--advertise-client-urls=" + etcdURL,
		"--listen-peer-urls=http://" + loopback(etcdPeer),
		"--initial-advertise-peer-urls=http://" + loopback(etcdPeer),
		"--initial-cluster=" + name + "=http://" + loopback(etcdPeer),
		"--unsafe-no-fsync", // throwaway data: durability buys nothing but slow tests
		"--quota-backend-bytes=2147483648",
	})
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, name+" etcd", time.Minute, []*process{etcd}, func(ctx context.Context) error {
		return httpOK(ctx, http.DefaultClient, etcdURL+"/health")
	}); err != nil {
		return nil, err
	}

	host := "https://" + loopback(apiPort)
	e.logf("starting %s kube-apiserver on %s", name, host)
	apiserver, err := start(name+"-kube-apiserver", "kube-apiserver", []string{
		"--etcd-servers=" + etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--cert-dir=" + filepath.Join(dir, "apiserver-certs"),
		"--tls-cert-file=" + certs.ServingCert,
		"--tls-private-key-file=" + certs.ServingKey,
		"--client-ca-file=" + certs.CACert,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file=" + certs.ServiceAccountKey,
		"--service-account-signing-key-file=" + certs.ServiceAccountKey,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--authorization-mode=RBAC",
		"--profiling=false",
		"--enable-priority-and-fairness=false",
		"--storage-media-type=application/json",
	})
	if err != nil {
		return nil, err
	}

	c.Host, c.CAPEM, c.Kubeconfig = host, certs.CAPEM, filepath.Join(dir, "admin.kubeconfig")
	c.rest = &rest.Config{
		Host:            host,
		TLSClientConfig: rest.TLSClientConfig{CAData: certs.CAPEM, CertData: certs.AdminCertPEM, KeyData: certs.AdminKeyPEM},
		QPS:             100,
		Burst:           200,
	}
	if err := writeKubeconfig(c.Kubeconfig, name, host, certs); err != nil {
		return nil, err
	}
	if c.Core, err = kubernetes.NewForConfig(c.rest); err != nil {
		return nil, err
	}
	if c.Dynamic, err = dynamic.NewForConfig(c.rest); err != nil {
		return nil, err
	}
	adminHTTP, err := rest.HTTPClientFor(c.rest)
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, name+" kube-apiserver", 2*time.Minute, []*process{etcd, apiserver}, func(ctx context.Context) error {
		return httpOK(ctx, adminHTTP, host+"/readyz")
	}); err != nil {
		return nil, err
	}

	// Service-account tokens, namespace deletion and garbage collection need
	// the controller manager; without it namespaces stay Terminating forever.
	e.logf("starting %s kube-controller-manager", name)
	kcm, err := start(name+"-kube-controller-manager", "kube-controller-manager", []string{
		"--kubeconfig=" + c.Kubeconfig,
		"--authentication-kubeconfig=" + c.Kubeconfig,
		"--authorization-kubeconfig=" + c.Kubeconfig,
		"--controllers=serviceaccount-token,serviceaccount,namespace,garbagecollector",
		"--service-account-private-key-file=" + certs.ServiceAccountKey,
		"--root-ca-file=" + certs.CACert,
		"--leader-elect=false",
		"--secure-port=0",
		"--concurrent-gc-syncs=5",
	})
	if err != nil {
		return nil, err
	}
	if err := waitFor(ctx, name+" kube-controller-manager", 2*time.Minute, []*process{kcm}, func(ctx context.Context) error {
		_, err := c.Core.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err
	}); err != nil {
		return nil, err
	}
	return c, nil
}

func writeKubeconfig(path, name, host string, certs *pki) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: host, CertificateAuthorityData: certs.CAPEM}
	cfg.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: certs.AdminCertPEM, ClientKeyData: certs.AdminKeyPEM}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: "admin"}
	cfg.CurrentContext = name
	return clientcmd.WriteToFile(*cfg, path)
}

func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for len(ports) < n {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		duplicate := false
		for _, q := range ports {
			duplicate = duplicate || p == q
		}
		if !duplicate {
			ports = append(ports, p)
		}
	}
	return ports, nil
}

func httpOK(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// waitFor polls check with backoff until it succeeds, the timeout passes, or
// one of the watched processes exits (then the error names its log). After
// the timeout the error quotes the last line of each watched process's log.
func waitFor(ctx context.Context, what string, timeout time.Duration, watch []*process, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	delay := 100 * time.Millisecond
	for {
		for _, p := range watch {
			if done, err := p.exited(); done {
				return fmt.Errorf("waiting for %s: %s stopped (%v); see %s", what, p.name, err, p.log)
			}
		}
		callCtx, callCancel := context.WithTimeout(ctx, 10*time.Second)
		err := check(callCtx)
		callCancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			// A process that runs on without doing its part (an agent still
			// waiting for its registration) says why in its last line: CI
			// shows this message, not the log.
			logs := make([]string, 0, len(watch))
			for _, p := range watch {
				logs = append(logs, fmt.Sprintf("%s, whose last line is: %s", p.log, lastLogLine(p.log)))
			}
			return fmt.Errorf("%s not ready after %s: %v (logs: %s)", what, timeout, err, strings.Join(logs, "; "))
		case <-time.After(delay):
		}
		if delay < 2*time.Second {
			delay = delay * 3 / 2
		}
	}
}

// ignoreAlreadyExists makes creating a fixed object idempotent.
func ignoreAlreadyExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

package acctest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/rest"
)

// RequestLog records the requests a provider sends to the upstream API
// server through CountingProvider.
type RequestLog struct {
	mu       sync.Mutex
	requests []string // "GET /apis/fleet.cattle.io/v1alpha1/namespaces/x/clusters/y"
}

// Take returns the requests whose path starts with prefix, and forgets all.
func (l *RequestLog) Take(prefix string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.requests {
		if _, p, _ := strings.Cut(r, " "); strings.HasPrefix(p, prefix) {
			out = append(out, r)
		}
	}
	l.requests = nil
	return out
}

// CountingProvider returns a provider block whose requests to the upstream
// API server pass through a proxy on loopback that records them in the log,
// then go on with the environment's admin credentials: what the provider
// sends, counted by the real server's answers, not a fake.
func CountingProvider(t *testing.T) (string, *RequestLog) {
	t.Helper()
	upstream := Env.Upstream.RESTConfig()
	transport, err := rest.TransportFor(upstream)
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(upstream.Host)
	if err != nil {
		t.Fatal(err)
	}
	log := &RequestLog{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = transport
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.mu.Lock()
		log.requests = append(log.requests, r.Method+" "+r.URL.Path)
		log.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{ name: counted, cluster: { server: %q } }]
users: [{ name: counted, user: {} }]
contexts: [{ name: counted, context: { cluster: counted, user: counted } }]
current-context: counted
`, server.URL)
	if err := os.WriteFile(kubeconfig, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("provider \"fleet\" {\n  config_path = %q\n}\n", kubeconfig), log
}

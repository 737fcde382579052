package framework_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fleetform/terraform-provider-fleet/internal/acctest"
	"github.com/fleetform/terraform-provider-fleet/internal/framework"
	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// requestLog counts the requests a client sends.
type requestLog struct {
	mu       sync.Mutex
	requests []string // "GET /api/v1/namespaces/x/configmaps"
}

func (l *requestLog) wrap(next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.requests = append(l.requests, req.Method+" "+req.URL.Path)
		l.mu.Unlock()
		return next.RoundTrip(req)
	})
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.requests
	l.requests = nil
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// countingClient is a client of the provider's own kind, as one provider
// configuration (one terraform command) makes it, whose requests log counts.
func countingClient(log *requestLog) *kube.Client {
	return kube.NewClient(kube.Config{ConfigPath: acctest.Env.Upstream.Kubeconfig, WrapTransport: log.wrap})
}

func readValue(t *testing.T, c *kube.Client, ns, name string) string {
	t.Helper()
	cm, err := configMaps.Read(context.Background(), c, ns, name)
	if err != nil {
		t.Fatalf("Read %s: %v", name, err)
	}
	data, _ := (*cm)["data"].(map[string]any)
	value, _ := data["value"].(string)
	return value
}

// TestAccObjectAPIReadsOfOneKindShareOneList: a refresh of many objects of
// one kind and namespace costs one GET and one LIST, not a GET each; one
// object still costs one GET. It reads what a GET would: objects deleted or
// changed out of band before the refresh, and the provider's own writes.
func TestAccObjectAPIReadsOfOneKindShareOneList(t *testing.T) {
	acctest.PreCheck(t)
	ctx := context.Background()
	ns := acctest.Namespace(t)
	core := acctest.Env.Upstream.Core.CoreV1().ConfigMaps(ns)
	const objects = 40
	for i := range objects {
		cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cm-%d", i)}, Data: map[string]string{"value": fmt.Sprint(i)}}
		if _, err := core.Create(ctx, cm, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	var log requestLog
	single := countingClient(&log)
	if got := readValue(t, single, ns, "cm-7"); got != "7" {
		t.Errorf("cm-7 = %q", got)
	}
	if requests := log.take(); len(requests) != 1 || requests[0] != "GET /api/v1/namespaces/"+ns+"/configmaps/cm-7" {
		t.Errorf("one Read sent %v, want one GET", requests)
	}

	// A refresh of all of them, ten at a time as Terraform does.
	refresh := countingClient(&log)
	var wg sync.WaitGroup
	errs := make(chan error, objects)
	for worker := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := worker; i < objects; i += 10 {
				cm, err := configMaps.Read(ctx, refresh, ns, fmt.Sprintf("cm-%d", i))
				if err == nil && (*cm)["data"].(map[string]any)["value"] != fmt.Sprint(i) {
					err = fmt.Errorf("cm-%d read as %v", i, *cm)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, err := configMaps.Read(ctx, refresh, ns, "never-created"); !errors.Is(err, framework.ErrNotFound) {
		t.Errorf("Read of a missing object: %v, want ErrNotFound", err)
	}
	if requests := log.take(); len(requests) != 2 {
		t.Errorf("a refresh of %d objects sent %d requests, want one GET and one LIST: %v", objects, len(requests), requests)
	}

	// Changed and deleted out of band: the next refresh (a new client) sees it.
	if err := core.Delete(ctx, "cm-0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	changed := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm-1"}, Data: map[string]string{"value": "changed"}}
	if _, err := core.Update(ctx, changed, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	next := countingClient(&log)
	for range 2 { // the GET, then the list
		if _, err := configMaps.Read(ctx, next, ns, "cm-0"); !errors.Is(err, framework.ErrNotFound) {
			t.Errorf("Read of an object deleted out of band: %v, want ErrNotFound", err)
		}
		if got := readValue(t, next, ns, "cm-1"); got != "changed" {
			t.Errorf("cm-1 changed out of band read as %q", got)
		}
	}

	// The provider's own write: a Read after it sees it.
	written := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cm-2"}, "data": map[string]any{"value": "written"}}
	if _, err := configMaps.Apply(ctx, next, ns, "cm-2", &written); err != nil {
		t.Fatal(err)
	}
	if got := readValue(t, next, ns, "cm-2"); got != "written" {
		t.Errorf("cm-2 read after the provider wrote it: %q", got)
	}
}

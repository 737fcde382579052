package main

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// apiServer is the test control plane's API server, as its admin.
type apiServer struct {
	core kubernetes.Interface
}

func connect(ctx context.Context, kubeconfig string) (*apiServer, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if err := core.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).Error(); err != nil {
		return nil, err
	}
	return &apiServer{core: core}, nil
}

func (a *apiServer) createNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	_, err := a.core.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("namespace %s exists; run the benchmark again", name)
	}
	return err
}

// deleteNamespace deletes what the destroy left behind; it does not wait.
func (a *apiServer) deleteNamespace(ctx context.Context, name string) {
	_ = a.core.CoreV1().Namespaces().Delete(ctx, name, metav1.DeleteOptions{})
}

// requestKey is one series of apiserver_request_total, reduced to what
// tells the provider's requests from the controllers'.
type requestKey struct{ verb, group, resource, subresource string }

// requestCounts are the API server's request counters.
type requestCounts map[requestKey]float64

var metricLabel = regexp.MustCompile(`(\w+)="([^"]*)"`)

// requests scrapes apiserver_request_total from the API server's /metrics.
func (a *apiServer) requests(ctx context.Context) (requestCounts, error) {
	raw, err := a.core.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("scrape the API server's metrics: %w", err)
	}
	counts := requestCounts{}
	for _, line := range strings.Split(string(raw), "\n") {
		rest, ok := strings.CutPrefix(line, "apiserver_request_total{")
		if !ok {
			continue
		}
		end := strings.LastIndex(rest, "}")
		if end < 0 {
			continue
		}
		value, err := strconv.ParseFloat(strings.TrimSpace(rest[end+1:]), 64)
		if err != nil {
			continue
		}
		labels := map[string]string{}
		for _, m := range metricLabel.FindAllStringSubmatch(rest[:end], -1) {
			labels[m[1]] = m[2]
		}
		key := requestKey{labels["verb"], labels["group"], labels["resource"], labels["subresource"]}
		counts[key] += value
	}
	return counts, nil
}

// providerVerbs are the verbs the provider sends; Fleet's controllers read
// from their informers' caches (LIST and WATCH once) and write status
// (subresource status) and finalizers (UPDATE), none of which count.
var providerVerbs = map[string]bool{"GET": true, "LIST": true, "APPLY": true, "PATCH": true, "POST": true, "DELETE": true}

// providerRequests returns the requests per resource the provider made
// between two scrapes: its verbs on the scenario's kind in fleet.cattle.io
// (the scenarios use no credentials, so no Secrets), and which they were.
func providerRequests(before, after requestCounts, kindResource string, n int) (float64, string) {
	var total float64
	byVerb := map[string]float64{}
	for key, value := range after {
		if key.group != "fleet.cattle.io" || key.resource != kindResource || key.subresource != "" || !providerVerbs[key.verb] {
			continue
		}
		if delta := value - before[key]; delta > 0 {
			total += delta
			byVerb[key.verb] += delta
		}
	}
	var parts []string
	for what, count := range byVerb {
		parts = append(parts, fmt.Sprintf("%s %.0f", what, count))
	}
	sort.Strings(parts)
	return total / float64(n), strings.Join(parts, ", ")
}

package framework

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/fleetform/terraform-provider-fleet/internal/kube"
)

// flakyAPIServer answers the first requests of a GET of one object with the
// failures an API server, a load balancer or the network produce while the
// server restarts or sheds load, then with the object.
func flakyAPIServer(t *testing.T, failures ...func(http.ResponseWriter)) (*kube.Client, *atomic.Int64) {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := calls.Add(1)
		if int(n) <= len(failures) {
			failures[n-1](w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"ns"}}`))
	}))
	t.Cleanup(srv.Close)
	return kube.NewClient(kube.Config{Host: srv.URL}), &calls
}

// status answers with a Kubernetes Status of code, without Retry-After (so
// client-go itself does not retry).
func status(code int, reason string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(`{"apiVersion":"v1","kind":"Status","status":"Failure","reason":"` + reason + `","message":"try later","code":` + strconv.Itoa(code) + `}`))
	}
}

// plain answers code with a body that is not a Status, as a proxy in front
// of the API server does.
func plain(code int) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) { http.Error(w, "upstream unavailable", code) }
}

// reset closes the connection without an answer (connection reset / EOF).
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
		_ = conn.Close()
	}
}

var configMaps = ObjectAPI[map[string]any]{GVR: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}, Kind: "ConfigMap"}

// TestPollRetriesTransientErrors: errors that say "try again" (429, 5xx, a
// proxy's 502, a reset connection) do not end a wait; the poll goes on
// with backoff until the check succeeds.
func TestPollRetriesTransientErrors(t *testing.T) {
	c, calls := flakyAPIServer(t,
		status(http.StatusServiceUnavailable, "ServiceUnavailable"),
		status(http.StatusTooManyRequests, "TooManyRequests"),
		status(http.StatusInternalServerError, "InternalError"),
		plain(http.StatusBadGateway),
		reset,
	)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	err := Poll(ctx, func(ctx context.Context) (bool, error) {
		_, err := configMaps.Get(ctx, c, "ns", "x")
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("Poll ended on a transient error: %v", err)
	}
	if n := calls.Load(); n < 6 {
		t.Errorf("%d requests, want at least 6 (5 failures, then the object)", n)
	}
}

// TestPollStopsOnPermanentErrors: a refusal (403, 404 of the type, a bad
// request) ends the poll at once.
func TestPollStopsOnPermanentErrors(t *testing.T) {
	c, calls := flakyAPIServer(t, status(http.StatusForbidden, "Forbidden"))
	err := Poll(context.Background(), func(ctx context.Context) (bool, error) {
		_, err := configMaps.Get(ctx, c, "ns", "x")
		return err == nil, err
	})
	if err == nil || !strings.Contains(err.Error(), "try later") {
		t.Fatalf("Poll = %v, want the 403", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestPollReportsTheLastTransientError: when the timeout ends a poll whose
// checks keep failing, the error is the timeout and says what failed last.
func TestPollReportsTheLastTransientError(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	_ = listener.Close() // nothing listens: connection refused
	c := kube.NewClient(kube.Config{Host: "http://" + addr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err = Poll(ctx, func(ctx context.Context) (bool, error) {
		_, err := configMaps.Get(ctx, c, "ns", "x")
		return err == nil, err
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Poll = %v, want the deadline", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(TransientCause(err), "connection refused") {
		t.Errorf("Poll = %v, TransientCause %q: want the last error (connection refused)", err, TransientCause(err))
	}
}

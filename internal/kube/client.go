package kube

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// errNilClient is returned by the methods of a nil *Client, which is what a
// resource sees when the provider has not been configured.
var errNilClient = errors.New("the Kubernetes client is not configured; this is a bug in the provider or the provider block was not configured")

// Client builds the Kubernetes clients lazily, once, at first use; safe for
// concurrent use. All clients of one Client share one rest.Config and one
// HTTP client (and with it the connection pool and the exec credential
// cache). Objects are read and written with the dynamic client and explicit
// GroupVersionResources; what the server serves is asked at most once per
// Client, through Cached.
type Client struct {
	cfg Config

	once    sync.Once
	err     error
	rest    *rest.Config
	dynamic dynamic.Interface
	core    kubernetes.Interface

	cacheMu sync.Mutex
	cache   map[string]*cached

	// writes counts the requests sent that may change an object.
	writes atomic.Uint64
}

// cached is one value of Client.Cached.
type cached struct {
	once  sync.Once
	value any
	err   error
}

// NewClient returns a client for cfg. It does no I/O: files are read and
// settings checked on first use, and any error is returned by every method.
func NewClient(cfg Config) *Client {
	return &Client{cfg: cfg}
}

// NewClientError returns a client whose every method returns err, for
// example when the provider's connection settings are unknown at
// configuration time.
func NewClientError(err error) *Client {
	if err == nil {
		err = errors.New("the Kubernetes client is not available")
	}
	c := &Client{err: err}
	c.once.Do(func() {})
	return c
}

func (c *Client) init() error {
	if c == nil {
		return errNilClient
	}
	c.once.Do(func() {
		rc, err := c.cfg.RESTConfig()
		if err != nil {
			c.err = err
			return
		}
		rc.WarningHandler, rc.WarningHandlerWithContext = nil, contextWarnings{}
		rc.Wrap(func(rt http.RoundTripper) http.RoundTripper { return writeCounter{rt, &c.writes} })
		if c.cfg.WrapTransport != nil {
			rc.Wrap(c.cfg.WrapTransport)
		}
		httpClient, err := rest.HTTPClientFor(rc)
		if err != nil {
			c.err = c.cfg.sanitize(fmt.Errorf("cannot set up the HTTP client (check cluster_ca_certificate, client_certificate and client_key or the kubeconfig's certificates): %w", err))
			return
		}
		c.err = c.build(rc, httpClient)
		if c.err == nil {
			c.rest = rc
		}
	})
	return c.err
}

func (c *Client) build(rc *rest.Config, httpClient *http.Client) error {
	dyn, err := dynamic.NewForConfigAndClient(rc, httpClient)
	if err != nil {
		return c.cfg.sanitize(fmt.Errorf("cannot create the dynamic client: %w", err))
	}
	core, err := kubernetes.NewForConfigAndClient(rc, httpClient)
	if err != nil {
		return c.cfg.sanitize(fmt.Errorf("cannot create the Kubernetes client: %w", err))
	}
	c.dynamic, c.core = dyn, core
	return nil
}

// RESTConfig returns a copy of the REST configuration the clients use.
func (c *Client) RESTConfig() (*rest.Config, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	return rest.CopyConfig(c.rest), nil
}

// Dynamic returns the shared dynamic client.
func (c *Client) Dynamic() (dynamic.Interface, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	return c.dynamic, nil
}

// Core returns the shared typed client for the built-in Kubernetes APIs.
func (c *Client) Core() (kubernetes.Interface, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	return c.core, nil
}

// Cached returns what fetch returned (its error included) the first time
// Cached was called with key on this Client; concurrent callers wait for that
// one call. It is for facts about the server that do not change while the
// provider runs, such as which kinds and fields it serves: a Client lives as
// long as one provider configuration, so they are fetched once however many
// resources ask.
func (c *Client) Cached(key string, fetch func() (any, error)) (any, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	c.cacheMu.Lock()
	entry := c.cache[key]
	if entry == nil {
		if c.cache == nil {
			c.cache = map[string]*cached{}
		}
		entry = &cached{}
		c.cache[key] = entry
	}
	c.cacheMu.Unlock()
	entry.once.Do(func() { entry.value, entry.err = fetch() })
	return entry.value, entry.err
}

// Writes returns how many requests that may change an object (any method but
// GET, HEAD and OPTIONS) the clients have sent so far, failed ones included.
// A value read before a write is stale once it changed.
func (c *Client) Writes() uint64 { return c.writes.Load() }

// writeCounter counts the requests that may change an object.
type writeCounter struct {
	next   http.RoundTripper
	writes *atomic.Uint64
}

func (w writeCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		w.writes.Add(1)
	}
	return w.next.RoundTrip(req)
}

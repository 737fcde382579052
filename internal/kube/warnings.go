package kube

import (
	"context"
	"slices"
	"sync"

	"k8s.io/client-go/rest"
)

// The API server returns warnings in a response header: a deprecated field,
// an unknown field it dropped, a value it will refuse in a later release.
// client-go logs them to the provider's stderr, which Terraform hides; the
// provider collects them per operation instead and returns them as Terraform
// warnings.

// CollectWarnings returns a context whose API requests record the API
// server's warnings, and a function that returns those recorded so far, each
// once.
func CollectWarnings(ctx context.Context) (context.Context, func() []string) {
	c := &warningCollector{}
	return context.WithValue(ctx, warningsKey{}, c), c.messages
}

type warningsKey struct{}

type warningCollector struct {
	mu   sync.Mutex
	seen []string
}

func (c *warningCollector) add(message string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !slices.Contains(c.seen, message) {
		c.seen = append(c.seen, message)
	}
}

func (c *warningCollector) messages() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.seen)
}

// contextWarnings hands a response's warnings to the collector of the
// request's context; without one they are dropped, as the stderr log they
// would go to reaches no one.
type contextWarnings struct{}

func (contextWarnings) HandleWarningHeaderWithContext(ctx context.Context, code int, agent string, message string) {
	if c, ok := ctx.Value(warningsKey{}).(*warningCollector); ok {
		c.HandleWarningHeaderWithContext(ctx, code, agent, message)
	}
}

// HandleWarningHeaderWithContext records a response's warning.
func (c *warningCollector) HandleWarningHeaderWithContext(_ context.Context, code int, _ string, message string) {
	// 299 is the "miscellaneous persistent warning" code the API server uses.
	if code != 299 || message == "" {
		return
	}
	c.add(message)
}

// WithWarningsOf returns a copy of rc whose requests record the API
// server's warnings with the collector of ctx (see CollectWarnings), whatever
// context they are made with: for clients that make their requests without
// the operation's context, as Helm's do (context.TODO). Without a collector
// in ctx, the copy keeps rc's handler.
func WithWarningsOf(ctx context.Context, rc *rest.Config) *rest.Config {
	rc = rest.CopyConfig(rc)
	if c, ok := ctx.Value(warningsKey{}).(*warningCollector); ok {
		rc.WarningHandler, rc.WarningHandlerWithContext = nil, c
	}
	return rc
}

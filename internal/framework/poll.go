package framework

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
)

// Poll calls check until it reports done or an error, backing off from 250ms
// to 5s between calls, until ctx ends (the caller's timeouts block).
//
// A transient error (see transient) does not end the poll: an API server
// restart, an etcd leader change, a load balancer shedding load or a reset
// connection during a ten-minute wait must not fail the apply. When ctx ends
// while the last check failed that way, the error wraps both ctx.Err() and
// that last error (TransientCause tells it).
func Poll(ctx context.Context, check func(context.Context) (done bool, err error)) error {
	delay := 250 * time.Millisecond
	var last error
	for {
		done, err := check(ctx)
		switch {
		case err == nil && done:
			return nil
		case err != nil && (ctx.Err() != nil || !transient(err)):
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			if last != nil {
				return &transientTimeout{ctxErr: ctx.Err(), last: last}
			}
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

// transientTimeout is Poll's error when ctx ends while the checks fail with
// transient errors.
type transientTimeout struct{ ctxErr, last error }

func (e *transientTimeout) Error() string {
	return e.ctxErr.Error() + "; the last attempt failed: " + e.last.Error()
}

func (e *transientTimeout) Unwrap() []error { return []error{e.ctxErr, e.last} }

// TransientCause returns, for an error of Poll that a timeout ended, what
// failed last as " (the last attempt failed: ...)", or "" when the last check
// succeeded: what a caller's own timeout message adds.
func TransientCause(err error) string {
	var t *transientTimeout
	if errors.As(err, &t) {
		return " (the last attempt failed: " + t.last.Error() + ")"
	}
	return ""
}

// transient reports an error that says "try again": 429 and 5xx answers
// (but 501, which never changes), also from a proxy in front of the API
// server, and connections that were refused, reset, cut short or timed out.
func transient(err error) bool {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		code := int(status.Status().Code)
		return code == http.StatusTooManyRequests || (code >= 500 && code != http.StatusNotImplemented)
	}
	if utilnet.IsConnectionRefused(err) || utilnet.IsConnectionReset(err) || utilnet.IsProbableEOF(err) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

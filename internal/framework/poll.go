package framework

import (
	"context"
	"time"
)

// Poll calls check until it reports done or an error, backing off from 250ms
// to 5s between calls, until ctx ends (the caller's timeouts block).
func Poll(ctx context.Context, check func(context.Context) (done bool, err error)) error {
	delay := 250 * time.Millisecond
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}

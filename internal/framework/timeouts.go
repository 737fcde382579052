package framework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Waits that no timeouts block bounds otherwise.
const (
	DefaultCreateTimeout = 2 * time.Minute
	DefaultDeleteTimeout = 5 * time.Minute
)

// WithTimeouts is embedded by every resource with a timeouts block: it builds
// the block, whose documentation states the defaults, and bounds the context
// of each operation. Zero durations take DefaultCreateTimeout (create and
// update) and DefaultDeleteTimeout.
type WithTimeouts struct {
	CreateTimeout, UpdateTimeout, DeleteTimeout time.Duration
}

func (w WithTimeouts) durations() (create, update, del time.Duration) {
	create, update, del = w.CreateTimeout, w.UpdateTimeout, w.DeleteTimeout
	if create == 0 {
		create = DefaultCreateTimeout
	}
	if update == 0 {
		update = DefaultCreateTimeout
	}
	if del == 0 {
		del = DefaultDeleteTimeout
	}
	return create, update, del
}

// TimeoutsBlock is the resource's timeouts block.
func (w WithTimeouts) TimeoutsBlock(ctx context.Context) schema.Block {
	create, update, del := w.durations()
	describe := func(op string, d time.Duration) string {
		return fmt.Sprintf("How long %s may take, waits included: a duration such as `30s`, `10m` or `1h`. Defaults to `%s`.", op, shortDuration(d))
	}
	return timeouts.Block(ctx, timeouts.Opts{
		Create: true, Update: true, Delete: true,
		CreateDescription: describe("a create", create),
		UpdateDescription: describe("an update", update),
		DeleteDescription: describe("a destroy", del),
	})
}

// CreateContext bounds ctx by the create timeout configured in v.
func (w WithTimeouts) CreateContext(ctx context.Context, v timeouts.Value) (context.Context, context.CancelFunc, diag.Diagnostics) {
	create, _, _ := w.durations()
	d, diags := v.Create(ctx, create)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, diags
}

// UpdateContext bounds ctx by the update timeout configured in v.
func (w WithTimeouts) UpdateContext(ctx context.Context, v timeouts.Value) (context.Context, context.CancelFunc, diag.Diagnostics) {
	_, update, _ := w.durations()
	d, diags := v.Update(ctx, update)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, diags
}

// DeleteContext bounds ctx by the delete timeout configured in v.
func (w WithTimeouts) DeleteContext(ctx context.Context, v timeouts.Value) (context.Context, context.CancelFunc, diag.Diagnostics) {
	_, _, del := w.durations()
	d, diags := v.Delete(ctx, del)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, diags
}

// shortDuration spells 2m0s as 2m and 1h0m0s as 1h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

package framework

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Waits that no timeouts block bounds otherwise.
const (
	DefaultCreateTimeout = 2 * time.Minute
	DefaultDeleteTimeout = 5 * time.Minute
)

// TimeoutsBlock is the timeouts block of every resource.
func TimeoutsBlock(ctx context.Context) schema.Block {
	return timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})
}

package client

import (
	"context"
	"time"
)

// SkipWaits makes c's retries wait no time, for the external tests in this
// directory (package client_test): the waits are still computed and the
// context still ends them, but no test spends wall-clock time on backoff or
// Retry-After. Call it before c is used.
func SkipWaits(c *Client) {
	c.clock.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
}

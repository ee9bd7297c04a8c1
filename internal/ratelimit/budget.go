package ratelimit

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Budget allows a key Max uses in each Window, counted from its first use.
type Budget struct {
	client redis.UniversalClient
	prefix string
	Max    int64
	Window time.Duration
}

// NewBudget makes a budget whose keys start with prefix.
func NewBudget(client redis.UniversalClient, prefix string, max int64, window time.Duration) *Budget {
	return &Budget{client: client, prefix: prefix, Max: max, Window: window}
}

// Take uses one of key's allowance and reports whether there was one left.
// The window starts with the first use and is not extended by later ones,
// so a steady user gets Max per Window, not one use per Window.
func (b *Budget) Take(ctx context.Context, key string) (bool, error) {
	pipe := b.client.TxPipeline()
	pipe.SetNX(ctx, b.prefix+key, 0, b.Window)
	used := pipe.Incr(ctx, b.prefix+key)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, err
	}
	return used.Val() <= b.Max, nil
}

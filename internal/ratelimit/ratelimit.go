// Package ratelimit counts failures per key in Redis, so every web process
// of an instance shares one count.
package ratelimit

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Failures blocks a key after Max failures in a row within Window.
type Failures struct {
	client redis.UniversalClient
	prefix string
	Max    int64
	Window time.Duration
}

// NewFailures makes a limiter whose keys start with prefix.
func NewFailures(client redis.UniversalClient, prefix string, max int64, window time.Duration) *Failures {
	return &Failures{client: client, prefix: prefix, Max: max, Window: window}
}

// Blocked reports whether key has used up its failures. A Redis error does
// not lock people out: it is returned and the caller decides.
func (f *Failures) Blocked(ctx context.Context, key string) (bool, error) {
	n, err := f.client.Get(ctx, f.prefix+key).Int64()
	if err == redis.Nil {
		return false, nil
	}
	return n >= f.Max, err
}

// Fail counts one failure; the window restarts with each one.
func (f *Failures) Fail(ctx context.Context, key string) error {
	pipe := f.client.TxPipeline()
	pipe.Incr(ctx, f.prefix+key)
	pipe.Expire(ctx, f.prefix+key, f.Window)
	_, err := pipe.Exec(ctx)
	return err
}

// Reset clears the count after a success.
func (f *Failures) Reset(ctx context.Context, key string) error {
	return f.client.Del(ctx, f.prefix+key).Err()
}

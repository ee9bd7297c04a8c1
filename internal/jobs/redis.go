package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/assay-social/assay/internal/config"
)

// Redis is the connection every Redis user in the process shares: the real
// server of ASSAY_REDIS_URL, or an in-process one that keeps nothing across
// restarts (which is fine: Redis only carries work, the database holds it).
type Redis struct {
	Client    redis.UniversalClient
	Namespace string
	embedded  *miniredis.Miniredis
	stop      chan struct{}
	wg        sync.WaitGroup
}

// OpenRedis connects and checks that the server answers.
func OpenRedis(ctx context.Context, cfg *config.Config) (*Redis, error) {
	r := &Redis{Namespace: cfg.RedisNamespace, stop: make(chan struct{})}
	if cfg.RedisURL == "" {
		r.embedded = miniredis.NewMiniRedis()
		if err := r.embedded.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("starting the embedded Redis: %w", err)
		}
		r.Client = redis.NewClient(&redis.Options{Addr: r.embedded.Addr()})
		r.wg.Add(1)
		go r.advanceClock()
	} else {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("ASSAY_REDIS_URL=%s: %w", config.Redacted(cfg.RedisURL), err)
		}
		r.Client = redis.NewClient(opts)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.Client.Ping(pingCtx).Err(); err != nil {
		r.Close()
		return nil, fmt.Errorf("ASSAY_REDIS_URL=%s: cannot reach Redis: %w", config.Redacted(cfg.RedisURL), err)
	}
	return r, nil
}

// Embedded reports whether this is the in-process server.
func (r *Redis) Embedded() bool { return r.embedded != nil }

// Key prefixes a key with the namespace.
func (r *Redis) Key(parts ...string) string {
	k := "assay"
	if r.Namespace != "" {
		k += ":" + r.Namespace
	}
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

// Ping is for health checks.
func (r *Redis) Ping(ctx context.Context) error { return r.Client.Ping(ctx).Err() }

// Close disconnects and, for the embedded server, stops it.
func (r *Redis) Close() error {
	close(r.stop)
	r.wg.Wait()
	err := r.Client.Close()
	if r.embedded != nil {
		r.embedded.Close()
	}
	return err
}

// advanceClock makes key expiry follow the wall clock: miniredis, built for
// tests, only expires keys when told how much time has passed.
func (r *Redis) advanceClock() {
	defer r.wg.Done()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-r.stop:
			return
		case now := <-tick.C:
			r.embedded.FastForward(now.Sub(last))
			last = now
		}
	}
}

// LogRedisTo sends go-redis's own messages (failed dials, pool trouble) to
// log at warn level, in the process's log format, instead of straight to
// stderr. go-redis keeps one logger per process, so the command sets it.
func LogRedisTo(log *slog.Logger) { redis.SetLogger(redisLogger{log.With("component", "redis")}) }

type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(format, v...))
}

package store

import (
	"sync"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// epochCache keeps values read from the database while no write has been
// made through this process since they were read (the write epoch, see
// writeWatch) and for at most snapshotTTL: a change made here shows at once,
// one made by another process within snapshotTTL.
type epochCache[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]epochEntry[V]
}

type epochEntry[V any] struct {
	val   V
	epoch uint64
	at    time.Time
}

// epochCacheMax bounds each cache's memory; when full it starts afresh.
const epochCacheMax = 10_000

func (c *epochCache[K, V]) get(k K, epoch uint64) (V, bool) {
	c.mu.Lock()
	e, ok := c.entries[k]
	c.mu.Unlock()
	if !ok || e.epoch != epoch || time.Since(e.at) >= snapshotTTL {
		var zero V
		return zero, false
	}
	return e.val, true
}

// put keeps v, read under epoch starting at `at`.
func (c *epochCache[K, V]) put(k K, v V, epoch uint64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= epochCacheMax {
		c.entries = make(map[K]epochEntry[V])
	}
	c.entries[k] = epochEntry[V]{val: v, epoch: epoch, at: at}
}

// keptRead answers k from c while current, and otherwise reads it and
// keeps it under the epoch the read started in. Outside a cached store
// (inside a transaction) it always reads.
func keptRead[K comparable, V any](s *Store, c *epochCache[K, V], k K, read func() (V, error)) (V, error) {
	if !s.cached() {
		return read()
	}
	epoch, at := s.memo.writes.Load(), time.Now()
	if v, ok := c.get(k, epoch); ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		c.put(k, v, epoch, at)
	}
	return v, err
}

// keptSession is the user behind a web session, kept so that a logged-in
// page does not start with two queries; never used past the session's
// expiry. A logout is a write, so through this process it shows at once.
type keptSession struct {
	user    *model.User
	expires time.Time
}

// copyUser copies the user and their account, so callers may change theirs.
func copyUser(u *model.User) *model.User {
	cp := *u
	if u.Account != nil {
		a := *u.Account
		cp.Account = &a
	}
	return &cp
}

package store

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// snapshotTTL bounds how late this process sees a change made by another
// process (the CLI, another web or worker process) to a value kept in
// memory; a change made through this Store is seen at once.
const snapshotTTL = time.Second

// snapshots are what this process keeps in memory: the small tables nearly
// every request reads — the instance settings (the AI-free switch) and the
// domain blocks (checked on every inbox POST and every delivery) — the
// recently shown videos (see videoCache), the first pages of the public
// timelines (see timelineHeads), the logged-in users and their unread
// notification counts (see epochCache).
type snapshots struct {
	writes       atomic.Uint64 // the write epoch (see writeWatch)
	instance     snapshot[model.Instance]
	domainBlocks snapshot[[]*model.DomainBlock]
	videos       videoCache
	heads        timelineHeads
	sessions     epochCache[string, keptSession]
	unread       epochCache[string, int] // unread notifications per account
}

// snapshot is one value read from the database and kept for snapshotTTL.
type snapshot[T any] struct {
	mu        sync.Mutex
	val       T
	at        time.Time // when the cached value was read; zero: nothing cached
	forgotten time.Time // a read that began before this is stale
}

func (c *snapshot[T]) get() (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= snapshotTTL {
		var zero T
		return zero, false
	}
	return c.val, true
}

// put keeps a value read at `at`, unless a change was made since.
func (c *snapshot[T]) put(v T, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.Before(c.forgotten) {
		return
	}
	c.val, c.at = v, at
}

func (c *snapshot[T]) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero T
	c.val, c.at, c.forgotten = zero, time.Time{}, time.Now()
}

// cached reports whether reads through s may answer from memory: not inside
// a transaction, which must see its own writes.
func (s *Store) cached() bool { return s.hooks == nil && s.memo != nil }

// changes forgets a snapshot now and again once the surrounding transaction
// commits: a read racing the transaction may have kept the old value.
func (s *Store) changes(forget func()) {
	forget()
	s.AfterCommit(forget)
}

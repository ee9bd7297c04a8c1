package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
)

// timelineHeads keeps the first page of each public timeline (local,
// federated, an account's, a tag's; with its filter and size) for at most
// snapshotTTL. The first page is what most visitors of an instance ask for,
// and it is the same for all of them, so one query a second can answer them
// all. Deeper pages (max_id) and home timelines are always read.
//
// A page read before the latest write through this process's database
// handle is not used (see writeWatch), so a change made here is never
// hidden; a change made by another process shows within snapshotTTL, as for
// the instance settings.
type timelineHeads struct {
	mu    sync.Mutex
	pages map[TimelineQuery]*headPage
}

// headPage is one kept first page, or one being read (done still open):
// requests that arrive meanwhile wait for that read instead of repeating it.
type headPage struct {
	epoch uint64
	at    time.Time
	rows  []timelineRow
	err   error
	done  chan struct{}
}

// timelineHeadsMax bounds the memory: tag and account timelines are as many
// as there are tags and accounts. When full, the cache starts afresh.
const timelineHeadsMax = 1_000

// sharedReadTimeout bounds a read made for several requests: it does not
// end with the request that started it.
const sharedReadTimeout = 10 * time.Second

// rows answers q from memory when a copy read since the write epoch began
// is kept, and otherwise reads it with read, once for all the requests
// asking at the same time. The shared read runs on its own context, so the
// first requester going away does not fail the others.
func (c *timelineHeads) rows(ctx context.Context, epoch uint64, q TimelineQuery, read func(context.Context) ([]timelineRow, error)) ([]timelineRow, error) {
	c.mu.Lock()
	p, ok := c.pages[q]
	if ok && p.epoch == epoch && (p.at.IsZero() || time.Since(p.at) < snapshotTTL) {
		c.mu.Unlock()
		select {
		case <-p.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if p.err == nil {
			return p.rows, nil
		}
		return read(ctx) // the shared read failed: try once more alone
	}
	if c.pages == nil || len(c.pages) >= timelineHeadsMax {
		c.pages = make(map[TimelineQuery]*headPage)
	}
	p = &headPage{epoch: epoch, done: make(chan struct{}), err: errSharedReadFailed}
	c.pages[q] = p
	c.mu.Unlock()

	// Whatever happens to the read (even a panic), the waiters are released
	// and a failed page is not kept.
	defer func() {
		c.mu.Lock()
		p.at = time.Now()
		if p.err != nil && c.pages[q] == p {
			delete(c.pages, q)
		}
		c.mu.Unlock()
		close(p.done)
	}()
	shared, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedReadTimeout)
	defer cancel()
	rows, err := read(shared)
	c.mu.Lock()
	p.rows, p.err = rows, err
	c.mu.Unlock()
	return rows, err
}

// errSharedReadFailed is what waiters see when the shared read ended
// without an answer (it panicked).
var errSharedReadFailed = errors.New("the shared timeline read failed")

// writeWatch is a query hook that moves the write epoch after every
// statement that may change what a page shows, and after every COMMIT: a
// value read while a transaction was open may miss its writes. Values kept
// in memory remember the epoch they were read under.
type writeWatch struct{ epoch *atomic.Uint64 }

func (writeWatch) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (w writeWatch) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	op := e.Operation()
	if op == "SELECT" || op == "BEGIN" || bookkeeping(e) {
		return
	}
	w.epoch.Add(1)
}

// bookkeepingTables are written all the time by queues and never shown on a
// page; their single statements leave the epoch alone.
var bookkeepingTables = map[string]bool{
	"jobs": true, "api_tokens": true, "inbox_items": true, "outbox_activities": true,
	"generations": true, "peers": true, "reports": true,
}

func bookkeeping(e *bun.QueryEvent) bool {
	q, ok := e.IQuery.(interface{ GetTableName() string })
	return ok && bookkeepingTables[q.GetTableName()]
}

// headKey is q's key in the heads, or false when q is not kept there: home
// timelines differ per viewer, and deeper pages are rarely asked twice.
func headKey(q TimelineQuery) (TimelineQuery, bool) {
	if q.Kind == TimelineHome || q.MaxID != "" {
		return q, false
	}
	q.ViewerID = ""
	return q, true
}

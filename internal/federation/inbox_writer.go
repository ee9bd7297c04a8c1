package federation

import (
	"context"
	"sync"
	"time"

	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// inboxWriter stores accepted activities by group commit. While one
// transaction is being written, the activities that arrive meanwhile wait
// and go together into the next, so under load one BEGIN … COMMIT (and one
// flush of PostgreSQL's log) carries many of them; an activity arriving
// alone is written at once. Each sender still gets its 202 only after its
// activity and its processing job are committed.
type inboxWriter struct {
	f *Service

	mu      sync.Mutex
	pending []*inboxWrite
	writing bool // a goroutine is running the queue
}

type inboxWrite struct {
	item *model.InboxItem
	done chan error // nil: stored; ErrIgnored: its id was stored before
}

// inboxBatchMax bounds one transaction.
const inboxBatchMax = 128

// inboxWriteTimeout bounds one batch's transaction; the senders wait for it.
const inboxWriteTimeout = 30 * time.Second

// store writes the item and queues its processing; it returns ErrIgnored
// when an activity with the same id is already stored.
func (w *inboxWriter) store(item *model.InboxItem) error {
	op := &inboxWrite{item: item, done: make(chan error, 1)}
	w.mu.Lock()
	w.pending = append(w.pending, op)
	if !w.writing {
		w.writing = true
		go w.run()
	}
	w.mu.Unlock()
	return <-op.done
}

// run writes batches until nothing is waiting.
func (w *inboxWriter) run() {
	for {
		w.mu.Lock()
		n := min(len(w.pending), inboxBatchMax)
		if n == 0 {
			w.pending, w.writing = nil, false
			w.mu.Unlock()
			return
		}
		batch := w.pending[:n:n]
		w.pending = w.pending[n:]
		w.mu.Unlock()
		w.write(batch)
	}
}

func (w *inboxWriter) write(batch []*inboxWrite) {
	ctx, cancel := context.WithTimeout(context.Background(), inboxWriteTimeout)
	defer cancel()
	items := make([]*model.InboxItem, len(batch))
	for i, op := range batch {
		items[i] = op.item
	}
	err := w.f.store.InTx(ctx, func(tx *store.Store) error {
		ids, err := tx.InsertNewInboxItems(ctx, items)
		if err != nil {
			return err
		}
		stored := make(map[string]bool, len(ids))
		specs := make([]jobs.Spec, 0, len(ids))
		for _, id := range ids {
			stored[id] = true
			specs = append(specs, jobs.Spec{Kind: KindInbox, Ref: id})
		}
		// Registered before the jobs' push, so the senders are answered as
		// soon as the rows are committed.
		tx.AfterCommit(func() {
			for _, op := range batch {
				if stored[op.item.ID] {
					op.done <- nil
				} else {
					op.done <- ErrIgnored
				}
			}
		})
		_, err = w.f.jobs.EnqueueMany(ctx, tx, specs)
		return err
	})
	if err == nil {
		return
	}
	if len(batch) > 1 {
		// One row the database refuses must not fail the others' senders.
		for _, op := range batch {
			w.write([]*inboxWrite{op})
		}
		return
	}
	batch[0].done <- err
}

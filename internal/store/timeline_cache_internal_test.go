package store

import (
	"context"
	"testing"
	"time"
)

// The first requester of a page going away does not fail the shared read,
// and a read that panics releases its waiters, who then read alone.
func TestSharedHeadReadOutlivesItsRequestAndPanics(t *testing.T) {
	var c timelineHeads
	q := TimelineQuery{Kind: TimelineLocal, Limit: 20}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	rows, err := c.rows(gone, 1, q, func(ctx context.Context) ([]timelineRow, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return []timelineRow{{ID: "a"}}, nil
	})
	if err != nil || len(rows) != 1 {
		t.Fatalf("a read started by a request that went away: %v, %v", rows, err)
	}

	started := make(chan struct{})
	waiter := make(chan error)
	go func() {
		// The panic is the point: the test survives it, the waiter must too.
		defer func() { recover() }() //nolint:errcheck
		_, _ = c.rows(context.Background(), 2, q, func(context.Context) ([]timelineRow, error) {
			close(started)
			time.Sleep(50 * time.Millisecond)
			panic("the database driver broke")
		})
	}()
	<-started
	go func() {
		_, err := c.rows(context.Background(), 2, q, func(context.Context) ([]timelineRow, error) {
			return []timelineRow{{ID: "b"}}, nil
		})
		waiter <- err
	}()
	select {
	case err := <-waiter:
		if err != nil {
			t.Fatalf("a waiter of a read that panicked: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a waiter of a read that panicked is still waiting")
	}
}

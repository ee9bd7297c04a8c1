package jobs

import (
	"context"
	"time"
)

const sweepBatch = 500

// SweepOnce pushes to Redis every job that is due within the next sweep
// interval and not done, including running jobs whose worker died. It returns
// how many it pushed that Redis did not already hold.
func (q *Queue) SweepOnce(ctx context.Context) (int, error) {
	now := time.Now().UTC()
	due, err := q.store.DueJobs(ctx, now, now.Add(q.opts.SweepInterval), sweepBatch)
	if err != nil {
		return 0, err
	}
	pushed := 0
	for _, job := range due {
		if q.push(ctx, job) {
			pushed++
		}
	}
	q.swept.Add(float64(pushed))
	return pushed, nil
}

// sweepLoop sweeps at start (catching up on whatever an earlier process left)
// and then every interval; once an hour it also deletes old finished jobs and
// expired sessions.
func (q *Queue) sweepLoop() {
	defer q.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-q.stop; cancel() }()

	tick := time.NewTicker(q.opts.SweepInterval)
	defer tick.Stop()
	lastCleanup := time.Time{}
	for {
		if n, err := q.SweepOnce(ctx); err != nil && ctx.Err() == nil {
			q.log.Warn("sweep failed", "err", err)
		} else if n > 0 {
			q.log.Info("sweeper re-queued jobs", "count", n)
		}
		if time.Since(lastCleanup) > time.Hour {
			q.cleanup(ctx)
			lastCleanup = time.Now()
		}
		select {
		case <-q.stop:
			return
		case <-tick.C:
		}
	}
}

func (q *Queue) cleanup(ctx context.Context) {
	now := time.Now().UTC()
	if n, err := q.store.DeleteFinishedJobs(ctx, now.Add(-7*24*time.Hour)); err != nil {
		q.log.Warn("deleting finished jobs failed", "err", err)
	} else if n > 0 {
		q.log.Info("deleted finished jobs", "count", n)
	}
	if _, err := q.store.DeleteExpiredSessions(ctx, now); err != nil {
		q.log.Warn("deleting expired sessions failed", "err", err)
	}
}

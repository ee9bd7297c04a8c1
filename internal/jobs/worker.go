package jobs

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/hibiken/asynq"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// StartWorker runs the handlers and the sweeper until Close.
func (q *Queue) StartWorker() error {
	queues := map[string]int{}
	for name, w := range queueWeights {
		queues[q.queueName(name)] = w
	}
	q.server = asynq.NewServerFromRedisClient(q.redis.Client, asynq.Config{
		Concurrency:     q.opts.Concurrency,
		Queues:          queues,
		Logger:          asynqLogger{q.log},
		LogLevel:        asynq.WarnLevel,
		ShutdownTimeout: 10 * time.Second,
		// Retries and Retry-After delays are scheduled tasks; asynq's default
		// 5 s check would stretch a short delay into five seconds.
		DelayedTaskCheckInterval: time.Second,
		// An idle worker polls for new tasks this often (asynq's default is
		// 1 s): a delivery or an upload waits at most this long to start.
		TaskCheckInterval: 100 * time.Millisecond,
	})
	if err := q.server.Start(asynq.HandlerFunc(q.process)); err != nil {
		return fmt.Errorf("starting the job worker: %w", err)
	}
	q.wg.Add(1)
	go q.sweepLoop()
	return nil
}

// Close stops the worker (letting running jobs finish for a while) and the
// sweeper, and disconnects the client.
func (q *Queue) Close() {
	close(q.stop)
	q.wg.Wait()
	if q.server != nil {
		q.server.Shutdown()
	}
	q.client.Close()
}

// process is the asynq entry point for every kind. It always answers nil:
// retries are scheduled in the database, and an asynq-archived task would
// hold its TaskID and block the sweeper from re-queueing the row.
func (q *Queue) process(ctx context.Context, t *asynq.Task) error {
	k := q.kind(t.Type())
	if k == nil || k.Handle == nil {
		q.log.Error("no handler for job kind", "kind", t.Type())
		return nil
	}
	id := string(t.Payload())
	job, err := q.store.ClaimJob(ctx, id, time.Now().UTC(), q.opts.Lease)
	if errors.Is(err, store.ErrNotFound) {
		q.outcomes.WithLabelValues(k.Name, "skipped").Inc()
		return nil // finished, not due yet, or another run holds it
	}
	if err != nil {
		q.log.Warn("could not claim job", "job", id, "err", err)
		return nil
	}

	runCtx, cancel := context.WithCancel(ctx)
	heartbeatDone := make(chan struct{})
	go func() {
		defer close(heartbeatDone)
		q.heartbeat(runCtx, cancel, job)
	}()
	runErr := runHandler(runCtx, k.Handle, job)
	cancel()
	<-heartbeatDone

	q.record(context.WithoutCancel(ctx), ctx.Err() != nil, k, job, runErr)
	return nil
}

func runHandler(ctx context.Context, h Handler, job *model.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, job)
}

// heartbeat renews the claim while the handler runs, and stops the handler
// if another run has taken the job over.
func (q *Queue) heartbeat(ctx context.Context, cancel context.CancelFunc, job *model.Job) {
	tick := time.NewTicker(q.opts.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			err := q.store.ExtendJobLease(ctx, job, time.Now().UTC().Add(q.opts.Lease))
			if errors.Is(err, store.ErrLeaseLost) {
				q.log.Warn("job taken over by another run; stopping this one", "job", job.ID)
				cancel()
				return
			}
		}
	}
}

// record writes the outcome of one run.
func (q *Queue) record(ctx context.Context, shuttingDown bool, k *Kind, job *model.Job, runErr error) {
	now := time.Now().UTC()
	var err error
	outcome := "done"
	switch {
	case runErr == nil && job.State == model.JobDone:
		// the handler finished it in its own transaction
	case runErr == nil:
		err = q.store.FinishJob(ctx, job, now)
	case shuttingDown:
		// not the job's fault: hand it to the next worker without waiting
		outcome = "retry"
		err = q.store.RetryJob(ctx, job, now, "interrupted by shutdown", now)
	case IsPermanent(runErr) || job.Attempts >= k.MaxAttempts:
		outcome = "failed"
		err = q.store.FailJob(ctx, job, runErr.Error(), now)
		q.log.Warn("job failed", "job", job.ID, "kind", k.Name, "attempts", job.Attempts, "err", runErr)
	default:
		outcome = "retry"
		delay := k.Backoff(job.Attempts)
		var ra *RetryAfter
		if errors.As(runErr, &ra) && ra.After > delay {
			delay = ra.After
		}
		err = q.store.RetryJob(ctx, job, now.Add(delay), runErr.Error(), now)
		q.log.Info("job will be retried", "job", job.ID, "kind", k.Name, "in", delay.Round(time.Second), "err", runErr)
	}
	if errors.Is(err, store.ErrLeaseLost) {
		outcome = "superseded"
	} else if err != nil {
		q.log.Error("could not record job outcome; its lease will expire and it will run again", "job", job.ID, "err", err)
	}
	q.outcomes.WithLabelValues(k.Name, outcome).Inc()
}

// asynqLogger routes asynq's own messages into slog.
type asynqLogger struct {
	log interface {
		Debug(string, ...any)
		Info(string, ...any)
		Warn(string, ...any)
		Error(string, ...any)
	}
}

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...)) }
func (l asynqLogger) Fatal(args ...any) { l.log.Error(fmt.Sprint(args...)) }

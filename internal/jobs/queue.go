// Package jobs runs durable work through asynq. The database row is the
// truth and Redis only carries the row's id: Enqueue writes the row inside
// the caller's transaction and pushes the task after commit; a sweeper pushes
// whatever is due and not done, so a Redis flush, a restart of the embedded
// Redis or a kill -9 mid-task loses nothing. The task id (row id and attempt,
// see TaskID) keeps a row from being queued twice, and a claim with a fenced
// lease keeps it from running twice at once.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// The queues of DESIGN.md §7 and their share of the workers.
const (
	QueueDeliver     = "deliver"
	QueueInbox       = "inbox"
	QueueMedia       = "media"
	QueueGenerate    = "generate"
	QueueFetch       = "fetch"
	QueueMaintenance = "maintenance"
)

var queueWeights = map[string]int{
	QueueInbox: 6, QueueDeliver: 4, QueueFetch: 3, QueueMedia: 2, QueueGenerate: 2, QueueMaintenance: 1,
}

// Handler does one job. A nil error finishes it; jobs.Permanent fails it;
// anything else retries it after a backoff (or a *RetryAfter's delay).
// A handler whose effect lives in the database should call Finish inside the
// transaction that writes the effect: then it happens exactly once.
type Handler func(ctx context.Context, job *model.Job) error

// Kind describes one type of work.
type Kind struct {
	Name        string
	Queue       string
	MaxAttempts int                             // default 10
	Backoff     func(attempt int) time.Duration // default: exponential from 30 s, capped at 6 h
	Timeout     time.Duration                   // default 10 min
	Handle      Handler                         // needed only where workers run
}

// Options tune the queue; zero values take the defaults.
type Options struct {
	Lease         time.Duration // how long a claim holds without a heartbeat
	RetryBase     time.Duration // first delay of the default backoff (30 s)
	SweepInterval time.Duration
	Concurrency   int
	Logger        *slog.Logger
	Metrics       prometheus.Registerer
}

// Queue is the process's handle on durable work.
type Queue struct {
	store  *store.Store
	redis  *Redis
	client *asynq.Client
	opts   Options
	log    *slog.Logger

	mu    sync.RWMutex
	kinds map[string]*Kind

	server *asynq.Server
	stop   chan struct{}
	wg     sync.WaitGroup

	outcomes *prometheus.CounterVec
	swept    prometheus.Counter
}

// New makes a queue over an open store and Redis.
func New(st *store.Store, r *Redis, opts Options) *Queue {
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.SweepInterval <= 0 {
		opts.SweepInterval = 10 * time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	q := &Queue{
		store: st, redis: r, opts: opts, log: opts.Logger.With("component", "jobs"),
		client: asynq.NewClientFromRedisClient(r.Client),
		kinds:  map[string]*Kind{},
		stop:   make(chan struct{}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_jobs_total", Help: "Jobs run, by kind and outcome (done, retry, failed, skipped).",
		}, []string{"kind", "outcome"}),
		swept: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "assay_jobs_swept_total", Help: "Jobs pushed to Redis by the sweeper rather than at commit.",
		}),
	}
	if opts.Metrics != nil {
		opts.Metrics.MustRegister(q.outcomes, q.swept)
	}
	return q
}

// Register adds a kind of work. Every process registers every kind, so that
// web processes can enqueue; only workers call the handlers.
func (q *Queue) Register(k Kind) {
	if _, ok := queueWeights[k.Queue]; !ok {
		panic(fmt.Sprintf("jobs: kind %q names unknown queue %q", k.Name, k.Queue))
	}
	if k.MaxAttempts <= 0 {
		k.MaxAttempts = 10
	}
	if k.Backoff == nil {
		k.Backoff = q.DefaultBackoff()
	}
	if k.Timeout <= 0 {
		k.Timeout = 10 * time.Minute
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.kinds[k.Name]; dup {
		panic(fmt.Sprintf("jobs: kind %q registered twice", k.Name))
	}
	q.kinds[k.Name] = &k
}

func (q *Queue) kind(name string) *Kind {
	q.mu.RLock()
	defer q.mu.RUnlock()
	return q.kinds[name]
}

// DefaultBackoff doubles from Options.RetryBase up to six hours.
func (q *Queue) DefaultBackoff() func(int) time.Duration {
	return ExponentialBackoff(q.opts.RetryBase, 6*time.Hour)
}

// Spec is what a caller asks to have done.
type Spec struct {
	Kind    string
	Ref     string    // the domain row this work is about
	Payload any       // marshalled to JSON; keep it small
	RunAt   time.Time // zero: now
}

// Enqueue writes the job row through st — pass the transaction that makes the
// change needing the work — and pushes it to Redis once that commits.
func (q *Queue) Enqueue(ctx context.Context, st *store.Store, spec Spec) (*model.Job, error) {
	job, err := q.newJob(spec)
	if err != nil {
		return nil, err
	}
	if err := st.InsertJob(ctx, job); err != nil {
		return nil, err
	}
	st.AfterCommit(func() { q.push(context.WithoutCancel(ctx), job) })
	return job, nil
}

// EnqueueMany is Enqueue for a batch: one INSERT for all the rows, and after
// commit the pushes run side by side rather than one round trip after another.
func (q *Queue) EnqueueMany(ctx context.Context, st *store.Store, specs []Spec) ([]*model.Job, error) {
	batch := make([]*model.Job, 0, len(specs))
	for _, spec := range specs {
		job, err := q.newJob(spec)
		if err != nil {
			return nil, err
		}
		batch = append(batch, job)
	}
	if err := st.InsertJobs(ctx, batch); err != nil {
		return nil, err
	}
	st.AfterCommit(func() { q.pushAll(context.WithoutCancel(ctx), batch) })
	return batch, nil
}

func (q *Queue) newJob(spec Spec) (*model.Job, error) {
	k := q.kind(spec.Kind)
	if k == nil {
		return nil, fmt.Errorf("jobs: unknown kind %q", spec.Kind)
	}
	payload := ""
	if spec.Payload != nil {
		b, err := json.Marshal(spec.Payload)
		if err != nil {
			return nil, fmt.Errorf("jobs: payload of %s: %w", spec.Kind, err)
		}
		payload = string(b)
	}
	now := time.Now().UTC()
	runAt := spec.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	return &model.Job{
		ID: model.NewID(), Queue: k.Queue, Kind: k.Name, Ref: spec.Ref, Payload: payload,
		State: model.JobPending, MaxAttempts: k.MaxAttempts, RunAt: runAt.UTC(),
		CreatedAt: now, UpdatedAt: now,
	}, nil
}

// pushParallel bounds the Redis round trips pushAll keeps in flight.
const pushParallel = 16

// pushAll pushes a batch of jobs, several at a time, and returns when all
// are pushed (or left to the sweeper).
func (q *Queue) pushAll(ctx context.Context, batch []*model.Job) {
	if len(batch) == 1 {
		q.push(ctx, batch[0])
		return
	}
	next := make(chan *model.Job)
	var wg sync.WaitGroup
	for range min(pushParallel, len(batch)) {
		wg.Go(func() {
			for job := range next {
				q.push(ctx, job)
			}
		})
	}
	for _, job := range batch {
		next <- job
	}
	close(next)
	wg.Wait()
}

// push hands a job to asynq. Failure is only logged: the sweeper retries.
func (q *Queue) push(ctx context.Context, job *model.Job) bool {
	k := q.kind(job.Kind)
	if k == nil {
		q.log.Warn("job of unknown kind left in the database", "job", job.ID, "kind", job.Kind)
		return false
	}
	runAt := job.RunAt
	if job.State == model.JobRunning {
		runAt = time.Now() // its lease ran out: take it over now
	}
	task := asynq.NewTask(job.Kind, []byte(job.ID))
	_, err := q.client.EnqueueContext(ctx, task,
		asynq.TaskID(TaskID(job)), asynq.Queue(q.queueName(k.Queue)),
		asynq.ProcessAt(runAt), asynq.MaxRetry(0), asynq.Timeout(k.Timeout))
	switch {
	case err == nil:
		return true
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		return false // already carried
	default:
		q.log.Warn("could not push job to Redis; the sweeper will retry", "job", job.ID, "err", err)
		return false
	}
}

// TaskID names a job's task in Redis: the row id and the attempt it is for.
// One task per row and attempt: a flush or a sweep can never queue a row
// twice, yet a row whose worker was killed can be queued again, although
// asynq still holds the dead run's task under the previous attempt's id.
func TaskID(job *model.Job) string { return fmt.Sprintf("%s.%d", job.ID, job.Attempts) }

func (q *Queue) queueName(name string) string {
	if q.redis.Namespace == "" {
		return name
	}
	return q.redis.Namespace + "-" + name
}

// Finish marks the job done through st. Call it inside the transaction that
// commits the job's effect; if another run has taken the job over it returns
// store.ErrLeaseLost, and the transaction must roll back.
func Finish(ctx context.Context, st *store.Store, job *model.Job) error {
	if err := st.FinishJob(ctx, job, time.Now().UTC()); err != nil {
		return err
	}
	job.State = model.JobDone
	return nil
}

// ExponentialBackoff doubles from base up to max, with ±20 % jitter so a
// burst of failures does not come back as a burst.
func ExponentialBackoff(base, max time.Duration) func(int) time.Duration {
	return func(attempt int) time.Duration {
		d := base
		for i := 1; i < attempt && d < max; i++ {
			d *= 2
		}
		if d > max {
			d = max
		}
		jitter := 0.8 + 0.4*rand.Float64()
		return time.Duration(float64(d) * jitter)
	}
}

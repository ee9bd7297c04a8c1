package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/testrig"
)

// The test binary doubles as a worker process for TestWorkerKilledMidTask.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChildWorker())
	}
	os.Exit(m.Run())
}

const (
	childEnv = "ASSAY_JOBS_TEST_CHILD"
	stallEnv = "ASSAY_JOBS_TEST_STALL"
)

// The "tally" kind counts its runs in a table, in the same transaction that
// finishes the job: a count above one means the work ran twice.
func createTally(t testing.TB, st *store.Store) {
	t.Helper()
	for _, q := range []string{
		"CREATE TABLE IF NOT EXISTS tally (ref TEXT PRIMARY KEY, n INTEGER NOT NULL)",
		"CREATE TABLE IF NOT EXISTS tally_started (ref TEXT NOT NULL)",
	} {
		if _, err := st.DB().ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

func registerTally(a *app.App, stall bool) {
	st := a.Store
	a.Jobs.Register(jobs.Kind{Name: "tally", Queue: jobs.QueueMaintenance, Handle: func(ctx context.Context, job *model.Job) error {
		if stall {
			if _, err := st.DB().ExecContext(ctx, "INSERT INTO tally_started (ref) VALUES (?)", job.Ref); err != nil {
				return err
			}
			<-ctx.Done() // hang until killed
			return ctx.Err()
		}
		return st.InTx(ctx, func(tx *store.Store) error {
			if _, err := tx.DB().ExecContext(ctx,
				"INSERT INTO tally (ref, n) VALUES (?, 1) ON CONFLICT (ref) DO UPDATE SET n = tally.n + 1", job.Ref); err != nil {
				return err
			}
			return jobs.Finish(ctx, tx, job)
		})
	}})
}

func enqueueTally(t testing.TB, a *app.App, refs ...string) []*model.Job {
	t.Helper()
	var out []*model.Job
	err := a.Store.InTx(context.Background(), func(tx *store.Store) error {
		for _, ref := range refs {
			job, err := a.Jobs.Enqueue(context.Background(), tx, jobs.Spec{Kind: "tally", Ref: ref})
			if err != nil {
				return err
			}
			out = append(out, job)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tallies(t testing.TB, st *store.Store) map[string]int {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), "SELECT ref, n FROM tally")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var ref string
		var n int
		if err := rows.Scan(&ref, &n); err != nil {
			t.Fatal(err)
		}
		out[ref] = n
	}
	return out
}

// waitState waits until every job reaches state and returns them as stored.
func waitState(t testing.TB, st *store.Store, jobsIn []*model.Job, state string, within time.Duration) []*model.Job {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var out []*model.Job
		reached := 0
		for _, j := range jobsIn {
			cur, err := st.JobByID(context.Background(), j.ID)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, cur)
			if cur.State == state {
				reached++
			}
		}
		if reached == len(jobsIn) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s only %d of %d jobs are %s; first: %+v", within, reached, len(jobsIn), state, out[0])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitDone(t testing.TB, st *store.Store, jobsIn []*model.Job, within time.Duration) []*model.Job {
	t.Helper()
	return waitState(t, st, jobsIn, model.JobDone, within)
}

func assertEachRanOnce(t testing.TB, st *store.Store, refs []string) {
	t.Helper()
	// Give any duplicate run (a stray task, a late sweep) time to show.
	time.Sleep(1200 * time.Millisecond)
	got := tallies(t, st)
	for _, ref := range refs {
		if got[ref] != 1 {
			t.Errorf("job %s ran %d times, want exactly once", ref, got[ref])
		}
	}
	if len(got) != len(refs) {
		t.Errorf("tally has %d entries, want %d: %v", len(got), len(refs), got)
	}
}

func refs(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

func TestJobRunsOnceAfterRedisFlush(t *testing.T) {
	cfg := testrig.Config(t)
	if testrig.UsesRealRedis() {
		// FLUSHALL would wipe the other packages' tests running beside this
		// one; database 15 is reserved for this test, and FLUSHDB empties it.
		cfg.RedisURL = strings.TrimRight(strings.SplitN(cfg.RedisURL, "?", 2)[0], "/")
		if i := strings.LastIndex(cfg.RedisURL, "/"); i > len("redis://") {
			cfg.RedisURL = cfg.RedisURL[:i]
		}
		cfg.RedisURL += "/15"
	}
	inst := testrig.StartInstance(t, cfg, testrig.Role(config.RoleWeb), testrig.BeforeRun(func(a *app.App) { registerTally(a, false) }))
	createTally(t, inst.Store)
	names := refs("flush", 5)
	queued := enqueueTally(t, inst.App, names...)

	inspector := asynq.NewInspectorFromRedisClient(inst.Redis.Client)
	info, err := inspector.GetQueueInfo(queueName(cfg, jobs.QueueMaintenance))
	if err != nil || info.Size != len(names) {
		t.Fatalf("before the flush Redis should hold %d tasks: %+v, %v", len(names), info, err)
	}
	flush := inst.Redis.Client.FlushAll
	if testrig.UsesRealRedis() {
		flush = inst.Redis.Client.FlushDB
	}
	if err := flush(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	if n, _ := inst.Redis.Client.DBSize(context.Background()).Result(); n != 0 {
		t.Fatalf("Redis still holds %d keys after the flush", n)
	}

	if err := inst.Jobs.StartWorker(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, inst.Store, queued, 10*time.Second)
	assertEachRanOnce(t, inst.Store, names)
}

func queueName(cfg *config.Config, q string) string {
	if cfg.RedisNamespace == "" {
		return q
	}
	return cfg.RedisNamespace + "-" + q
}

func TestJobRunsOnceAfterEmbeddedRedisRestart(t *testing.T) {
	cfg := testrig.Config(t)
	first := testrig.StartInstance(t, cfg, testrig.Role(config.RoleWeb), testrig.BeforeRun(func(a *app.App) { registerTally(a, false) }))
	createTally(t, first.Store)
	names := refs("restart", 3)
	queued := enqueueTally(t, first.App, names...)
	first.Stop() // the embedded Redis goes with it, and every task it held

	restarted := *cfg
	restarted.Role = config.RoleAll
	second := testrig.StartInstance(t, &restarted, testrig.BeforeRun(func(a *app.App) { registerTally(a, false) }))
	waitDone(t, second.Store, queued, 10*time.Second)
	assertEachRanOnce(t, second.Store, names)
}

// TestWorkerKilledMidTask kills a real worker process with SIGKILL while it
// runs a job, then lets another worker take over once the lease runs out.
func TestWorkerKilledMidTask(t *testing.T) {
	cfg := testrig.Config(t)
	if cfg.RedisURL == "" {
		// Two processes need one Redis: a standalone one stands in for the
		// embedded server, which lives inside a single process.
		cfg.RedisURL = "redis://" + miniredis.RunT(t).Addr()
	}
	inst := testrig.StartInstance(t, cfg, testrig.Role(config.RoleWeb), testrig.BeforeRun(func(a *app.App) { registerTally(a, false) }))
	createTally(t, inst.Store)
	queued := enqueueTally(t, inst.App, "killed")

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=1", stallEnv+"=1",
		"ASSAY_DATA_DIR="+cfg.DataDir, "ASSAY_DATABASE_URL="+cfg.DatabaseURL,
		"ASSAY_REDIS_URL="+cfg.RedisURL, "ASSAY_REDIS_NAMESPACE="+cfg.RedisNamespace,
		"ASSAY_ROLE=worker", "ASSAY_LISTEN=127.0.0.1:0",
		"ASSAY_SWEEP_INTERVAL=200ms", "ASSAY_JOB_LEASE="+cfg.JobLease.String())
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })

	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := inst.Store.DB().QueryRowContext(context.Background(), "SELECT count(*) FROM tally_started").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the child worker never started the job")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := child.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	mid, err := inst.Store.JobByID(context.Background(), queued[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if mid.State != model.JobRunning || mid.Attempts != 1 {
		t.Fatalf("after the kill the job should be running its first attempt, got %s/%d", mid.State, mid.Attempts)
	}

	if err := inst.Jobs.StartWorker(); err != nil {
		t.Fatal(err)
	}
	done := waitDone(t, inst.Store, queued, 20*time.Second)
	if done[0].Attempts != 2 {
		t.Errorf("the job took %d attempts, want 2 (the killed one and the takeover)", done[0].Attempts)
	}
	assertEachRanOnce(t, inst.Store, []string{"killed"})
}

// runChildWorker is the killed process: a worker whose tally handler hangs.
func runChildWorker() int {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	registerTally(a, os.Getenv(stallEnv) == "1")
	if err := a.Jobs.StartWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	select {} // until SIGKILL
}

// Two instances on one database, each sweeping every row into its own
// Redis: both workers try every job, and the claim lets exactly one win.
func TestCompetingWorkersRunEachJobOnce(t *testing.T) {
	cfg := testrig.Config(t)
	one := testrig.StartInstance(t, cfg, testrig.Role(config.RoleWeb), testrig.BeforeRun(func(a *app.App) { registerTally(a, false) }))
	createTally(t, one.Store)
	names := refs("race", 60)
	queued := enqueueTally(t, one.App, names...)

	other := *cfg
	other.Role = config.RoleWorker
	if testrig.UsesRealRedis() {
		_, other.RedisNamespace = testrig.FreshRedis(t) // a second Redis namespace: two carriers for the same rows
	}
	testrig.StartInstance(t, &other, testrig.BeforeRun(func(a *app.App) { registerTally(a, false) }))
	if err := one.Jobs.StartWorker(); err != nil {
		t.Fatal(err)
	}
	waitDone(t, one.Store, queued, 20*time.Second)
	assertEachRanOnce(t, one.Store, names)
}

func TestRetryBackoffAndPermanentFailure(t *testing.T) {
	var calls atomic.Int32
	inst := testrig.NewInstance(t, testrig.BeforeRun(func(a *app.App) {
		a.Jobs.Register(jobs.Kind{
			Name: "flaky", Queue: jobs.QueueFetch, MaxAttempts: 5,
			Backoff: func(int) time.Duration { return 10 * time.Millisecond },
			Handle: func(ctx context.Context, job *model.Job) error {
				switch job.Ref {
				case "twice":
					if calls.Add(1) <= 2 {
						return errors.New("503 from the remote server")
					}
					return nil
				case "hopeless":
					return jobs.Permanent(errors.New("410 Gone"))
				default:
					return errors.New("always down")
				}
			},
		})
	}))
	var flaky, hopeless, down *model.Job
	err := inst.Store.InTx(context.Background(), func(tx *store.Store) (err error) {
		if flaky, err = inst.Jobs.Enqueue(context.Background(), tx, jobs.Spec{Kind: "flaky", Ref: "twice"}); err != nil {
			return err
		}
		if hopeless, err = inst.Jobs.Enqueue(context.Background(), tx, jobs.Spec{Kind: "flaky", Ref: "hopeless"}); err != nil {
			return err
		}
		down, err = inst.Jobs.Enqueue(context.Background(), tx, jobs.Spec{Kind: "flaky", Ref: "down"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := waitDone(t, inst.Store, []*model.Job{flaky}, 10*time.Second)[0]
	if got.Attempts != 3 {
		t.Errorf("the flaky job took %d attempts, want 3", got.Attempts)
	}
	for _, c := range []struct {
		job      *model.Job
		attempts int
		reason   string
	}{{hopeless, 1, "410 Gone"}, {down, 5, "always down"}} {
		cur := waitState(t, inst.Store, []*model.Job{c.job}, model.JobFailed, 10*time.Second)[0]
		if cur.Attempts != c.attempts || cur.LastError != c.reason {
			t.Errorf("job %s failed after %d attempts with %q; want %d and %q", cur.Ref, cur.Attempts, cur.LastError, c.attempts, c.reason)
		}
	}
}

func TestEnqueueRolledBackLeavesNothing(t *testing.T) {
	inst := testrig.NewInstance(t, testrig.Role(config.RoleWeb), testrig.BeforeRun(func(a *app.App) { registerTally(a, false) }))
	var job *model.Job
	boom := errors.New("the change failed")
	err := inst.Store.InTx(context.Background(), func(tx *store.Store) (err error) {
		job, err = inst.Jobs.Enqueue(context.Background(), tx, jobs.Spec{Kind: "tally", Ref: "never"})
		if err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v", err)
	}
	if _, err := inst.Store.JobByID(context.Background(), job.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a rolled-back job row is still there: %v", err)
	}
	keys, _ := inst.Redis.Client.Keys(context.Background(), "*"+job.ID+"*").Result()
	if len(keys) != 0 {
		t.Errorf("a rolled-back job reached Redis: %v", keys)
	}
}

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

func migratedStore(t *testing.T) *store.Store {
	t.Helper()
	st := openStore(t)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func newJob(runAt time.Time) *model.Job {
	return &model.Job{
		ID: model.NewID(), Queue: "deliver", Kind: "test.kind", State: model.JobPending, MaxAttempts: 3,
		RunAt: runAt, CreatedAt: runAt, UpdatedAt: runAt,
	}
}

// A claim takes a due job once: a second claim under a live lease, a claim
// of a job not yet due and one of a finished job all find nothing.
func TestClaimJobTakesADueJobOnce(t *testing.T) {
	ctx := context.Background()
	st := migratedStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	due, later := newJob(now.Add(-time.Second)), newJob(now.Add(time.Hour))
	if err := st.InsertJobs(ctx, []*model.Job{due, later}); err != nil {
		t.Fatal(err)
	}

	got, err := st.ClaimJob(ctx, due.ID, now, time.Minute)
	if err != nil {
		t.Fatalf("claiming a due job: %v", err)
	}
	if got.ID != due.ID || got.State != model.JobRunning || got.Attempts != 1 || got.Kind != "test.kind" {
		t.Fatalf("claimed job = %+v, want %s running on attempt 1", got, due.ID)
	}
	if !got.LockedUntil.Equal(now.Add(time.Minute)) {
		t.Errorf("lease until %v, want %v", got.LockedUntil, now.Add(time.Minute))
	}
	if _, err := st.ClaimJob(ctx, due.ID, now, time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second claim under a live lease: %v, want ErrNotFound", err)
	}
	if _, err := st.ClaimJob(ctx, later.ID, now, time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim of a job due in an hour: %v, want ErrNotFound", err)
	}
	// Once the lease has run out, another run takes the job over.
	again, err := st.ClaimJob(ctx, due.ID, now.Add(2*time.Minute), time.Minute)
	if err != nil || again.Attempts != 2 {
		t.Fatalf("claim after the lease ran out: %+v, %v; want attempt 2", again, err)
	}
	if err := st.FinishJob(ctx, again, now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimJob(ctx, due.ID, now.Add(time.Hour), time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim of a finished job: %v, want ErrNotFound", err)
	}
}

// InsertJobs writes a fan-out bigger than one statement's chunk.
func TestInsertJobsWritesEveryRow(t *testing.T) {
	ctx := context.Background()
	st := migratedStore(t)
	now := time.Now().UTC()
	batch := make([]*model.Job, 1234)
	for i := range batch {
		batch[i] = newJob(now)
	}
	if err := st.InsertJobs(ctx, batch); err != nil {
		t.Fatal(err)
	}
	n, err := st.DB().NewSelect().Model((*model.Job)(nil)).Count(ctx)
	if err != nil || n != int64(len(batch)) {
		t.Fatalf("%d job rows (%v), want %d", n, err, len(batch))
	}
}

// A batch of received activities stores each new id once and reports which
// were stored: a repeat of a stored id, and a repeat inside the batch, are not.
func TestInsertNewInboxItemsSkipsRepeats(t *testing.T) {
	ctx := context.Background()
	st := migratedStore(t)
	item := func(uri string) *model.InboxItem {
		return &model.InboxItem{ID: model.NewID(), URI: uri, ActorURI: "https://a.example/u", Type: "Create", Body: "{}", ReceivedAt: time.Now().UTC()}
	}
	first := item("https://a.example/1")
	if ids, err := st.InsertNewInboxItems(ctx, []*model.InboxItem{first}); err != nil || len(ids) != 1 || ids[0] != first.ID {
		t.Fatalf("first insert: %v, %v", ids, err)
	}
	repeat, fresh, twice := item("https://a.example/1"), item("https://a.example/2"), item("https://a.example/2")
	ids, err := st.InsertNewInboxItems(ctx, []*model.InboxItem{repeat, fresh, twice})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != fresh.ID {
		t.Fatalf("stored %v, want only %s", ids, fresh.ID)
	}
	n, _ := st.DB().NewSelect().Model((*model.InboxItem)(nil)).Count(ctx)
	if n != 2 {
		t.Fatalf("%d inbox rows, want 2", n)
	}
}

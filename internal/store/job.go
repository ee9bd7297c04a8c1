package store

import (
	"context"
	"errors"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// ErrLeaseLost means another run has claimed the job since this one did: the
// caller must roll back whatever it was about to commit.
var ErrLeaseLost = errors.New("job lease lost to another run")

// InsertJob writes a job row; call it inside the transaction that causes it.
func (s *Store) InsertJob(ctx context.Context, job *model.Job) error {
	_, err := s.db.NewInsert().Model(job).Exec(ctx)
	return mapErr(err)
}

// jobsPerInsert keeps one statement of a large fan-out to a few hundred KB.
const jobsPerInsert = 500

// InsertJobs writes several job rows, many to a statement.
func (s *Store) InsertJobs(ctx context.Context, jobs []*model.Job) error {
	for len(jobs) > 0 {
		chunk := jobs[:min(jobsPerInsert, len(jobs))]
		jobs = jobs[len(chunk):]
		if _, err := s.db.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// JobByID reads one job.
func (s *Store) JobByID(ctx context.Context, id string) (*model.Job, error) {
	job := new(model.Job)
	return one(job, s.db.NewSelect().Model(job).Where("id = ?", id).Scan(ctx))
}

// ClaimJob marks a due job running under a lease and counts the attempt. It
// returns ErrNotFound when the job is not claimable: finished, not yet due, or
// held by a live lease.
func (s *Store) ClaimJob(ctx context.Context, id string, now time.Time, lease time.Duration) (*model.Job, error) {
	job := new(model.Job)
	err := s.db.NewUpdate().Model(job).
		Set("state = ?", model.JobRunning).
		Set("attempts = attempts + 1").
		Set("locked_until = ?", now.Add(lease)).
		Set("updated_at = ?", now).
		Where("id = ?", id).
		Where("(state = ? AND run_at <= ?) OR (state = ? AND locked_until < ?)",
			model.JobPending, now, model.JobRunning, now).
		Returning("*").
		Scan(ctx)
	return one(job, err)
}

// fenced restricts an update to the run that holds the claim: the attempt
// number taken at claim time is the fencing token.
func fenced(job *model.Job) (string, []any) {
	return "id = ? AND state = ? AND attempts = ?", []any{job.ID, model.JobRunning, job.Attempts}
}

// ExtendJobLease keeps a long job's claim alive.
func (s *Store) ExtendJobLease(ctx context.Context, job *model.Job, until time.Time) error {
	where, args := fenced(job)
	res, err := s.db.NewUpdate().Model((*model.Job)(nil)).
		Set("locked_until = ?", until).Where(where, args...).Exec(ctx)
	return rowsOrLeaseLost(res, err)
}

// FinishJob marks the claimed run done. Called inside the transaction that
// commits the job's effect, it makes that effect happen exactly once.
func (s *Store) FinishJob(ctx context.Context, job *model.Job, now time.Time) error {
	where, args := fenced(job)
	res, err := s.db.NewUpdate().Model((*model.Job)(nil)).
		Set("state = ?", model.JobDone).Set("finished_at = ?", now).Set("updated_at = ?", now).
		Set("last_error = ''").
		Where(where, args...).Exec(ctx)
	return rowsOrLeaseLost(res, err)
}

// RetryJob puts the claimed run back to pending, due at runAt.
func (s *Store) RetryJob(ctx context.Context, job *model.Job, runAt time.Time, reason string, now time.Time) error {
	where, args := fenced(job)
	res, err := s.db.NewUpdate().Model((*model.Job)(nil)).
		Set("state = ?", model.JobPending).Set("run_at = ?", runAt).Set("last_error = ?", reason).
		Set("locked_until = NULL").Set("updated_at = ?", now).
		Where(where, args...).Exec(ctx)
	return rowsOrLeaseLost(res, err)
}

// FailJob gives the claimed run up for good.
func (s *Store) FailJob(ctx context.Context, job *model.Job, reason string, now time.Time) error {
	where, args := fenced(job)
	res, err := s.db.NewUpdate().Model((*model.Job)(nil)).
		Set("state = ?", model.JobFailed).Set("last_error = ?", reason).
		Set("finished_at = ?", now).Set("updated_at = ?", now).
		Where(where, args...).Exec(ctx)
	return rowsOrLeaseLost(res, err)
}

// DueJobs lists jobs that should be in Redis by `until`: pending ones due by
// then, and running ones whose lease has run out (their worker died).
func (s *Store) DueJobs(ctx context.Context, now, until time.Time, limit int) ([]*model.Job, error) {
	var jobs []*model.Job
	err := s.db.NewSelect().Model(&jobs).
		Column("id", "queue", "kind", "run_at", "state", "attempts").
		Where("(state = ? AND run_at <= ?) OR (state = ? AND locked_until < ?)",
			model.JobPending, until, model.JobRunning, now).
		Order("run_at").Limit(int64(limit)).Scan(ctx)
	return jobs, mapErr(err)
}

// DeleteFinishedJobs removes done jobs finished before `before`; failed ones
// stay for an operator to read.
func (s *Store) DeleteFinishedJobs(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*model.Job)(nil)).
		Where("state = ? AND finished_at < ?", model.JobDone, before).Exec(ctx)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

func rowsOrLeaseLost(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrLeaseLost
	}
	return nil
}

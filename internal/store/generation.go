package store

import (
	"context"
	"time"

	"github.com/uptrace/bun/dialect"

	"github.com/assay-social/assay/internal/model"
)

// CreateGeneration inserts a generation request.
func (s *Store) CreateGeneration(ctx context.Context, g *model.Generation) error {
	_, err := s.db.NewInsert().Model(g).Exec(ctx)
	return mapErr(err)
}

// GenerationByID reads one generation.
func (s *Store) GenerationByID(ctx context.Context, id string) (*model.Generation, error) {
	g := new(model.Generation)
	return one(g, s.db.NewSelect().Model(g).Where("id = ?", id).Scan(ctx))
}

// SaveGeneration writes a generation's progress and outcome. Once it has
// reached an end state it is never written again (a cancellation wins over
// a late progress report), which the WHERE clause enforces; ErrNotFound
// says the write lost.
func (s *Store) SaveGeneration(ctx context.Context, g *model.Generation) error {
	g.UpdatedAt = time.Now().UTC()
	res, err := s.db.NewUpdate().Model(g).
		Column("state", "progress", "error", "remote_id", "attempts", "video_id", "updated_at", "started_at", "finished_at").
		WherePK().Where("state IN (?, ?)", model.GenerationQueued, model.GenerationRunning).Exec(ctx)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// StartGeneration moves a queued generation to running if its account has
// fewer than limit running, and reports whether it did. Call it in a
// transaction: on PostgreSQL the account row is locked so two workers
// cannot both take the last slot; SQLite transactions already run one at a
// time.
func (s *Store) StartGeneration(ctx context.Context, g *model.Generation, limit int, now time.Time) (bool, error) {
	if s.Dialect() == dialect.PG {
		if _, err := s.db.NewSelect().Model((*model.Account)(nil)).Column("id").
			Where("id = ?", g.AccountID).For("UPDATE").Exec(ctx); err != nil {
			return false, mapErr(err)
		}
	}
	running, err := s.db.NewSelect().Model((*model.Generation)(nil)).
		Where("account_id = ? AND state = ?", g.AccountID, model.GenerationRunning).Count(ctx)
	if err != nil || running >= int64(limit) {
		return false, mapErr(err)
	}
	res, err := s.db.NewUpdate().Model((*model.Generation)(nil)).
		Set("state = ?", model.GenerationRunning).Set("started_at = ?", now).Set("updated_at = ?", now).
		Where("id = ? AND state = ?", g.ID, model.GenerationQueued).Exec(ctx)
	if err != nil {
		return false, mapErr(err)
	}
	n, _ := res.RowsAffected()
	if n == 1 {
		g.State, g.StartedAt = model.GenerationRunning, &now
	}
	return n == 1, nil
}

// GenerationsSince counts an account's requests since t, for the daily quota.
func (s *Store) GenerationsSince(ctx context.Context, accountID string, t time.Time) (int, error) {
	n, err := s.db.NewSelect().Model((*model.Generation)(nil)).
		Where("account_id = ? AND created_at >= ?", accountID, t).Count(ctx)
	return int(n), mapErr(err)
}

package store

import (
	"context"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// CreateSession stores a web login.
func (s *Store) CreateSession(ctx context.Context, sess *model.Session) error {
	_, err := s.db.NewInsert().Model(sess).Exec(ctx)
	return mapErr(err)
}

// SessionUser returns the user of a live session.
func (s *Store) SessionUser(ctx context.Context, sessionID string, now time.Time) (*model.User, error) {
	// The expiry is checked here rather than in SQL: a statement naming the
	// time would be new text every time, which pgx prepares (a round trip)
	// and evicts (another) on every request — half of a logged-in page's cost.
	var epoch uint64
	if s.cached() {
		epoch = s.memo.writes.Load()
		if k, ok := s.memo.sessions.get(sessionID, epoch); ok && k.expires.After(now) {
			return copyUser(k.user), nil
		}
	}
	readAt := time.Now()
	sess := new(model.Session)
	if err := s.db.NewSelect().Model(sess).Where("id = ?", sessionID).Scan(ctx); err != nil {
		return nil, mapErr(err)
	}
	if !sess.ExpiresAt.After(now) {
		return nil, ErrNotFound
	}
	u, err := s.UserByID(ctx, sess.UserID)
	if err == nil && s.cached() {
		s.memo.sessions.put(sessionID, keptSession{copyUser(u), sess.ExpiresAt}, epoch, readAt)
	}
	return u, err
}

// DeleteSession ends a web login.
func (s *Store) DeleteSession(ctx context.Context, sessionID string) error {
	_, err := s.db.NewDelete().Model((*model.Session)(nil)).Where("id = ?", sessionID).Exec(ctx)
	return mapErr(err)
}

// DeleteExpiredSessions is maintenance; it returns how many it removed.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*model.Session)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

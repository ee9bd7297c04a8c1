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
	sess := new(model.Session)
	err := s.db.NewSelect().Model(sess).Where("id = ? AND expires_at > ?", sessionID, now).Scan(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	return s.UserByID(ctx, sess.UserID)
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

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
	kept, err := keptRead(s, &s.memo.sessions, sessionID, func() (keptSession, error) {
		sess := new(model.Session)
		if err := s.db.NewSelect().Model(sess).Where("id = ?", sessionID).Scan(ctx); err != nil {
			return keptSession{}, mapErr(err)
		}
		u, err := s.UserByID(ctx, sess.UserID)
		return keptSession{u, sess.ExpiresAt}, err
	})
	if err != nil {
		return nil, err
	}
	if !kept.expires.After(now) {
		return nil, ErrNotFound
	}
	return copyUser(kept.user), nil
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

package store

import (
	"context"

	"github.com/assay-social/assay/internal/model"
)

// AddReaction stores a like or boost and refreshes the video's counters. A
// repeat is not an error: it returns the existing row and false.
func (s *Store) AddReaction(ctx context.Context, r *model.Reaction) (*model.Reaction, bool, error) {
	var out *model.Reaction
	created := false
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.lockVideo(ctx, r.VideoID); err != nil {
			return err
		}
		res, err := tx.db.NewInsert().Model(r).On("CONFLICT (kind, account_id, video_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return mapErr(err)
		}
		n, _ := res.RowsAffected()
		created = n > 0
		if out, err = tx.reactionBy(ctx, r.Kind, r.AccountID, r.VideoID); err != nil {
			return err
		}
		return tx.Recount(ctx, r.VideoID)
	})
	return out, created, err
}

func (s *Store) reactionBy(ctx context.Context, kind, accountID, videoID string) (*model.Reaction, error) {
	r := new(model.Reaction)
	return one(r, s.db.NewSelect().Model(r).Where("kind = ? AND account_id = ? AND video_id = ?", kind, accountID, videoID).Scan(ctx))
}

// ReactionBy finds an account's like or boost of a video.
func (s *Store) ReactionBy(ctx context.Context, kind, accountID, videoID string) (*model.Reaction, error) {
	return s.reactionBy(ctx, kind, accountID, videoID)
}

// ReactionByURI finds a like or boost by its activity id.
func (s *Store) ReactionByURI(ctx context.Context, uri string) (*model.Reaction, error) {
	r := new(model.Reaction)
	return one(r, s.db.NewSelect().Model(r).Where("uri = ?", uri).Limit(1).Scan(ctx))
}

// DeleteReaction removes a like or boost and refreshes the counters.
func (s *Store) DeleteReaction(ctx context.Context, r *model.Reaction) error {
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.lockVideo(ctx, r.VideoID); err != nil {
			return err
		}
		if _, err := tx.db.NewDelete().Model((*model.Reaction)(nil)).Where("id = ?", r.ID).Exec(ctx); err != nil {
			return mapErr(err)
		}
		return tx.Recount(ctx, r.VideoID)
	})
}

package store

import (
	"context"

	"github.com/assay-social/assay/internal/model"
)

// AddComment stores a comment and refreshes the counters; a repeat (same
// URI) is ignored and returns false.
func (s *Store) AddComment(ctx context.Context, c *model.Comment) (bool, error) {
	created := false
	err := s.InTx(ctx, func(tx *Store) error {
		if err := tx.lockVideo(ctx, c.VideoID); err != nil {
			return err
		}
		res, err := tx.db.NewInsert().Model(c).On("CONFLICT (uri) DO NOTHING").Exec(ctx)
		if err != nil {
			return mapErr(err)
		}
		n, _ := res.RowsAffected()
		created = n > 0
		return tx.Recount(ctx, c.VideoID)
	})
	return created, err
}

// CommentByURI finds a comment by its ActivityPub id.
func (s *Store) CommentByURI(ctx context.Context, uri string) (*model.Comment, error) {
	c := new(model.Comment)
	return one(c, s.db.NewSelect().Model(c).Relation("Account").Where("?TableAlias.uri = ?", uri).Scan(ctx))
}

// CommentByID reads a comment.
func (s *Store) CommentByID(ctx context.Context, id string) (*model.Comment, error) {
	c := new(model.Comment)
	return one(c, s.db.NewSelect().Model(c).Relation("Account").Where("?TableAlias.id = ?", id).Scan(ctx))
}

// UpdateCommentContent changes a comment's text.
func (s *Store) UpdateCommentContent(ctx context.Context, c *model.Comment) error {
	_, err := s.db.NewUpdate().Model(c).Column("content", "updated_at").WherePK().Exec(ctx)
	return mapErr(err)
}

// DeleteComment removes a comment and refreshes the counters.
func (s *Store) DeleteComment(ctx context.Context, c *model.Comment) error {
	return s.InTx(ctx, func(tx *Store) error {
		if err := tx.lockVideo(ctx, c.VideoID); err != nil {
			return err
		}
		if _, err := tx.db.NewDelete().Model((*model.Comment)(nil)).Where("id = ?", c.ID).Exec(ctx); err != nil {
			return mapErr(err)
		}
		if _, err := tx.db.NewDelete().Model((*model.Notification)(nil)).Where("comment_id = ?", c.ID).Exec(ctx); err != nil {
			return mapErr(err)
		}
		return tx.Recount(ctx, c.VideoID)
	})
}

// Comments lists a video's comments, oldest first.
func (s *Store) Comments(ctx context.Context, videoID string, limit int) ([]*model.Comment, error) {
	var cs []*model.Comment
	err := s.db.NewSelect().Model(&cs).Relation("Account").Where("?TableAlias.video_id = ?", videoID).
		OrderExpr("?TableAlias.id ASC").Limit(int64(limit)).Scan(ctx)
	return cs, mapErr(err)
}

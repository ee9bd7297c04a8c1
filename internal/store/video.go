package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/assay-social/assay/internal/model"
)

// CreateVideo inserts a video with its media files and tags.
func (s *Store) CreateVideo(ctx context.Context, v *model.Video) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.NewInsert().Model(v).Exec(ctx); err != nil {
			return mapErr(err)
		}
		return tx.replaceMediaAndTags(ctx, v)
	})
}

func (s *Store) replaceMediaAndTags(ctx context.Context, v *model.Video) error {
	if _, err := s.db.NewDelete().Model((*model.MediaFile)(nil)).Where("video_id = ?", v.ID).Exec(ctx); err != nil {
		return mapErr(err)
	}
	if _, err := s.db.NewDelete().Model((*model.VideoTag)(nil)).Where("video_id = ?", v.ID).Exec(ctx); err != nil {
		return mapErr(err)
	}
	for _, m := range v.Media {
		m.VideoID = v.ID
	}
	for _, t := range v.Tags {
		t.VideoID = v.ID
	}
	if len(v.Media) > 0 {
		if _, err := s.db.NewInsert().Model(&v.Media).Exec(ctx); err != nil {
			return mapErr(err)
		}
	}
	if len(v.Tags) > 0 {
		if _, err := s.db.NewInsert().Model(&v.Tags).On("CONFLICT DO NOTHING").Exec(ctx); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// UpdateVideo saves the editable fields (title, description, label, state,
// media and tags) of an existing video.
func (s *Store) UpdateVideo(ctx context.Context, v *model.Video) error {
	return s.InTx(ctx, func(tx *Store) error {
		v.UpdatedAt = time.Now().UTC()
		if _, err := tx.db.NewUpdate().Model(v).
			Column("title", "description", "state", "failure_reason", "synthetic", "digital_source_type",
				"label_source", "label_detail", "generator", "prompt", "duration_seconds", "thumbnail_url", "sensitive", "url", "updated_at").
			WherePK().Exec(ctx); err != nil {
			return mapErr(err)
		}
		return tx.replaceMediaAndTags(ctx, v)
	})
}

func (s *Store) videoQuery(v any) *bun.SelectQuery {
	return s.db.NewSelect().Model(v).Relation("Account").Relation("Media").Relation("Tags")
}

// VideoByID reads a video with its account, media and tags.
func (s *Store) VideoByID(ctx context.Context, id string) (*model.Video, error) {
	v := new(model.Video)
	return one(v, s.videoQuery(v).Where("?TableAlias.id = ?", id).Scan(ctx))
}

// ShownVideo reads a video to show it, as a timeline page does: one short
// row from the database, the rest from memory while current (see
// videosFor: its Account has no keys, and its Account, Media and Tags are
// shared). Code that changes or sends a video uses VideoByID.
func (s *Store) ShownVideo(ctx context.Context, id string) (*model.Video, error) {
	var rows []timelineRow
	if err := s.shownRows().Where("video.id = ?", id).Scan(ctx, &rows); err != nil {
		return nil, mapErr(err)
	}
	vs, err := s.videosFor(ctx, rows)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, ErrNotFound
	}
	return vs[0], nil
}

// shownRows selects timelineRows: what tells whether a kept video is current.
func (s *Store) shownRows() *bun.SelectQuery {
	return s.db.NewSelect().TableExpr("videos AS video").
		Join("JOIN accounts AS account ON account.id = video.account_id").
		ColumnExpr("video.id, video.updated_at, account.updated_at AS account_updated_at").
		ColumnExpr("video.likes_count, video.boosts_count, video.comments_count")
}

// VideoByURI reads a video by its ActivityPub id.
func (s *Store) VideoByURI(ctx context.Context, uri string) (*model.Video, error) {
	v := new(model.Video)
	return one(v, s.videoQuery(v).Where("?TableAlias.uri = ?", uri).Scan(ctx))
}

// DeleteVideo removes a video and what hangs off it.
func (s *Store) DeleteVideo(ctx context.Context, id string) error {
	return s.InTx(ctx, func(tx *Store) error {
		for _, m := range []any{(*model.MediaFile)(nil), (*model.VideoTag)(nil), (*model.Reaction)(nil), (*model.Comment)(nil), (*model.Notification)(nil)} {
			if _, err := tx.db.NewDelete().Model(m).Where("video_id = ?", id).Exec(ctx); err != nil {
				return mapErr(err)
			}
		}
		_, err := tx.db.NewDelete().Model((*model.Video)(nil)).Where("id = ?", id).Exec(ctx)
		return mapErr(err)
	})
}

// lockVideo serialises the transactions that change one video's counters.
// On PostgreSQL, READ COMMITTED lets two concurrent recounts each miss the
// other's row; once the row lock is held, later statements see everything
// committed before it. SQLite runs one writer at a time already.
func (s *Store) lockVideo(ctx context.Context, videoID string) error {
	if s.Dialect() != dialect.PG {
		return nil
	}
	_, err := s.db.NewSelect().Model((*model.Video)(nil)).Column("id").Where("id = ?", videoID).For("UPDATE").Exec(ctx)
	return mapErr(err)
}

// Recount refreshes a video's like, boost and comment counters from the rows.
func (s *Store) Recount(ctx context.Context, videoID string) error {
	_, err := s.db.NewUpdate().Model((*model.Video)(nil)).
		Set("likes_count = (SELECT count(*) FROM reactions WHERE video_id = ? AND kind = ?)", videoID, model.ReactionLike).
		Set("boosts_count = (SELECT count(*) FROM reactions WHERE video_id = ? AND kind = ?)", videoID, model.ReactionBoost).
		Set("comments_count = (SELECT count(*) FROM comments WHERE video_id = ?)", videoID).
		Where("id = ?", videoID).Exec(ctx)
	return mapErr(err)
}

// Timeline kinds.
const (
	TimelineHome      = "home"
	TimelineLocal     = "local"
	TimelineFederated = "federated"
	TimelineAccount   = "account"
	TimelineTag       = "tag"
)

// Media filters.
const (
	MediaAll   = "all"
	MediaHuman = "human"
	MediaAI    = "ai"
)

// TimelineQuery selects a page of videos, newest first.
type TimelineQuery struct {
	Kind          string
	ViewerID      string // account whose home timeline it is
	AccountID     string // for TimelineAccount
	Tag           string // for TimelineTag, lowercase
	Media         string // MediaAll, MediaHuman, MediaAI
	HideSynthetic bool   // the instance is AI-free
	MaxID         string // page older than this id
	Limit         int
}

// withoutKeys leaves out an account's keys where a page only shows it: the
// private key alone is 1.7 KB a row.
func withoutKeys(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ExcludeColumn("private_key_pem", "public_key_pem")
}

// Timeline returns ready, public videos for a query.
// (The video alias is spelled out: bun resolves ?TableAlias to a subquery's
// alias when the same condition takes a subquery argument.)
func (s *Store) Timeline(ctx context.Context, q TimelineQuery) ([]*model.Video, error) {
	sel := s.shownRows().
		Where("video.state = ?", model.VideoReady).
		Where("video.public = TRUE").
		OrderExpr("video.id DESC").
		Limit(int64(q.Limit))
	switch q.Kind {
	case TimelineHome:
		followed := s.db.NewSelect().Model((*model.Follow)(nil)).Column("target_account_id").
			Where("account_id = ? AND state = ?", q.ViewerID, model.FollowAccepted)
		boosted := s.db.NewSelect().Model((*model.Reaction)(nil)).Column("video_id").
			Where("kind = ? AND account_id IN (?)", model.ReactionBoost, followed)
		sel = sel.WhereGroup(" AND ", func(w *bun.SelectQuery) *bun.SelectQuery {
			return w.Where("video.account_id = ?", q.ViewerID).
				WhereOr("video.account_id IN (?)", followed).
				WhereOr("video.id IN (?)", boosted)
		})
	case TimelineLocal:
		sel = sel.Where("video.local = TRUE")
	case TimelineFederated:
		silenced := s.db.NewSelect().Model((*model.DomainBlock)(nil)).Column("domain").Where("severity = ?", model.BlockSilence)
		sel = sel.Where("account.domain NOT IN (?)", silenced)
	case TimelineAccount:
		sel = sel.Where("video.account_id = ?", q.AccountID)
	case TimelineTag:
		tagged := s.db.NewSelect().Model((*model.VideoTag)(nil)).Column("video_id").Where("name = ?", q.Tag)
		sel = sel.Where("video.id IN (?)", tagged)
	}
	switch q.Media {
	case MediaHuman:
		sel = sel.Where("video.synthetic = FALSE")
	case MediaAI:
		sel = sel.Where("video.synthetic = TRUE")
	}
	if q.HideSynthetic {
		sel = sel.Where("video.synthetic = FALSE")
	}
	if q.MaxID != "" {
		sel = sel.Where("video.id < ?", q.MaxID)
	}
	read := func(ctx context.Context) ([]timelineRow, error) {
		var rows []timelineRow
		return rows, mapErr(sel.Scan(ctx, &rows))
	}
	var rows []timelineRow
	var err error
	if key, ok := headKey(q); ok && s.cached() {
		rows, err = s.memo.heads.rows(ctx, s.memo.writes.Load(), key, read)
	} else {
		rows, err = read(ctx)
	}
	if err != nil {
		return nil, err
	}
	return s.videosFor(ctx, rows)
}

// CountLocalVideos is for NodeInfo.
func (s *Store) CountLocalVideos(ctx context.Context) (int64, error) {
	n, err := s.db.NewSelect().Model((*model.Video)(nil)).Where("local = TRUE").Count(ctx)
	return n, mapErr(err)
}

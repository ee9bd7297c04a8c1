package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Federation: videos and their media, the social graph, received and sent
// activities, domain blocks and reports; three new account columns.
type (
	m2Video struct {
		bun.BaseModel     `bun:"table:videos"`
		ID                string    `bun:"id,pk"`
		AccountID         string    `bun:"account_id,notnull"`
		Local             bool      `bun:"local,notnull"`
		URI               string    `bun:"uri,notnull"`
		URL               string    `bun:"url,notnull"`
		ObjectType        string    `bun:"object_type,notnull"`
		Title             string    `bun:"title,notnull"`
		Description       string    `bun:"description,notnull"`
		State             string    `bun:"state,notnull"`
		FailureReason     string    `bun:"failure_reason,notnull"`
		Synthetic         bool      `bun:"synthetic,notnull"`
		DigitalSourceType string    `bun:"digital_source_type,notnull"`
		LabelSource       string    `bun:"label_source,notnull"`
		DurationSeconds   float64   `bun:"duration_seconds,notnull"`
		ThumbnailURL      string    `bun:"thumbnail_url,notnull"`
		Sensitive         bool      `bun:"sensitive,notnull"`
		Public            bool      `bun:"public,notnull"`
		LikesCount        int       `bun:"likes_count,notnull"`
		BoostsCount       int       `bun:"boosts_count,notnull"`
		CommentsCount     int       `bun:"comments_count,notnull"`
		PublishedAt       time.Time `bun:"published_at,notnull"`
		CreatedAt         time.Time `bun:"created_at,notnull"`
		UpdatedAt         time.Time `bun:"updated_at,notnull"`
	}
	m2MediaFile struct {
		bun.BaseModel `bun:"table:media_files"`
		ID            string    `bun:"id,pk"`
		VideoID       string    `bun:"video_id,notnull"`
		Role          string    `bun:"role,notnull"`
		URL           string    `bun:"url,notnull"`
		Path          string    `bun:"path,notnull"`
		MimeType      string    `bun:"mime_type,notnull"`
		Width         int       `bun:"width,notnull"`
		Height        int       `bun:"height,notnull"`
		Size          int64     `bun:"size,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
	}
	m2VideoTag struct {
		bun.BaseModel `bun:"table:video_tags"`
		VideoID       string `bun:"video_id,pk"`
		Name          string `bun:"name,pk"`
	}
	m2Follow struct {
		bun.BaseModel   `bun:"table:follows"`
		ID              string    `bun:"id,pk"`
		AccountID       string    `bun:"account_id,notnull"`
		TargetAccountID string    `bun:"target_account_id,notnull"`
		URI             string    `bun:"uri,notnull"`
		State           string    `bun:"state,notnull"`
		CreatedAt       time.Time `bun:"created_at,notnull"`
		UpdatedAt       time.Time `bun:"updated_at,notnull"`
	}
	m2Reaction struct {
		bun.BaseModel `bun:"table:reactions"`
		ID            string    `bun:"id,pk"`
		Kind          string    `bun:"kind,notnull"`
		AccountID     string    `bun:"account_id,notnull"`
		VideoID       string    `bun:"video_id,notnull"`
		URI           string    `bun:"uri,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
	}
	m2Comment struct {
		bun.BaseModel `bun:"table:comments"`
		ID            string    `bun:"id,pk"`
		VideoID       string    `bun:"video_id,notnull"`
		AccountID     string    `bun:"account_id,notnull"`
		URI           string    `bun:"uri,notnull"`
		URL           string    `bun:"url,notnull"`
		InReplyTo     string    `bun:"in_reply_to,notnull"`
		Content       string    `bun:"content,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
		UpdatedAt     time.Time `bun:"updated_at,notnull"`
	}
	m2InboxItem struct {
		bun.BaseModel `bun:"table:inbox_items"`
		ID            string    `bun:"id,pk"`
		URI           string    `bun:"uri,notnull"`
		ActorURI      string    `bun:"actor_uri,notnull"`
		Type          string    `bun:"type,notnull"`
		Body          string    `bun:"body,notnull"`
		ReceivedAt    time.Time `bun:"received_at,notnull"`
	}
	m2OutboxActivity struct {
		bun.BaseModel `bun:"table:outbox_activities"`
		ID            string    `bun:"id,pk"`
		AccountID     string    `bun:"account_id,notnull"`
		URI           string    `bun:"uri,notnull"`
		Type          string    `bun:"type,notnull"`
		ObjectURI     string    `bun:"object_uri,notnull"`
		Public        bool      `bun:"public,notnull"`
		Body          string    `bun:"body,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
	}
	m2DomainBlock struct {
		bun.BaseModel `bun:"table:domain_blocks"`
		Domain        string    `bun:"domain,pk"`
		Severity      string    `bun:"severity,notnull"`
		Reason        string    `bun:"reason,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
	}
	m2Report struct {
		bun.BaseModel   `bun:"table:reports"`
		ID              string    `bun:"id,pk"`
		URI             string    `bun:"uri,notnull"`
		AccountID       string    `bun:"account_id,notnull"`
		TargetAccountID string    `bun:"target_account_id,notnull"`
		ObjectURIs      string    `bun:"object_uris,notnull"`
		Content         string    `bun:"content,notnull"`
		CreatedAt       time.Time `bun:"created_at,notnull"`
		ResolvedAt      time.Time `bun:"resolved_at,nullzero"`
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, col := range []string{
				"actor_type VARCHAR NOT NULL DEFAULT 'Person'",
				"icon_url VARCHAR NOT NULL DEFAULT ''",
				"gone BOOLEAN NOT NULL DEFAULT FALSE",
			} {
				if _, err := tx.NewAddColumn().Table("accounts").ColumnExpr(col).Exec(ctx); err != nil {
					return err
				}
			}
			return createTables(ctx, tx,
				[]any{(*m2Video)(nil), (*m2MediaFile)(nil), (*m2VideoTag)(nil), (*m2Follow)(nil), (*m2Reaction)(nil),
					(*m2Comment)(nil), (*m2InboxItem)(nil), (*m2OutboxActivity)(nil), (*m2DomainBlock)(nil), (*m2Report)(nil)},
				[]index{
					{"videos", "videos_uri_key", true, []string{"uri"}},
					{"videos", "videos_account_id_idx", false, []string{"account_id", "id"}},
					{"media_files", "media_files_video_id_idx", false, []string{"video_id"}},
					{"video_tags", "video_tags_name_idx", false, []string{"name", "video_id"}},
					{"follows", "follows_pair_key", true, []string{"account_id", "target_account_id"}},
					{"follows", "follows_target_idx", false, []string{"target_account_id", "state"}},
					{"follows", "follows_uri_idx", false, []string{"uri"}},
					{"reactions", "reactions_once_key", true, []string{"kind", "account_id", "video_id"}},
					{"reactions", "reactions_uri_idx", false, []string{"uri"}},
					{"reactions", "reactions_video_idx", false, []string{"video_id"}},
					{"comments", "comments_uri_key", true, []string{"uri"}},
					{"comments", "comments_video_idx", false, []string{"video_id", "id"}},
					{"inbox_items", "inbox_items_uri_key", true, []string{"uri"}},
					{"outbox_activities", "outbox_activities_uri_key", true, []string{"uri"}},
					{"outbox_activities", "outbox_activities_account_idx", false, []string{"account_id", "id"}},
				})
		})
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

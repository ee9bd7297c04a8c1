package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Notifications: what happened to a local account (a follow, a follow
// request, a like, a boost or a comment on one of its videos) and whether
// its owner has seen it. Absent video or comment ids are empty strings, not
// NULL, so the unique key makes writing one twice (a retried inbox job, a
// repeated Follow) a no-op on both dialects.
type m7Notification struct {
	bun.BaseModel      `bun:"table:notifications"`
	ID                 string    `bun:"id,pk"`
	RecipientAccountID string    `bun:"recipient_account_id,notnull"`
	Kind               string    `bun:"kind,notnull"`
	FromAccountID      string    `bun:"from_account_id,notnull"`
	VideoID            string    `bun:"video_id,notnull"`
	CommentID          string    `bun:"comment_id,notnull"`
	CreatedAt          time.Time `bun:"created_at,notnull"`
	ReadAt             time.Time `bun:"read_at,nullzero"`
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTables(ctx, tx, []any{(*m7Notification)(nil)}, []index{
				{"notifications", "notifications_once_key", true, []string{"recipient_account_id", "kind", "from_account_id", "video_id", "comment_id"}},
				{"notifications", "notifications_recipient_idx", false, []string{"recipient_account_id", "id"}},
				// the unread badge on every page counts through this index alone
				{"notifications", "notifications_unread_idx", false, []string{"recipient_account_id", "read_at"}},
				{"notifications", "notifications_from_idx", false, []string{"from_account_id"}},
				{"notifications", "notifications_video_idx", false, []string{"video_id"}},
			})
		})
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

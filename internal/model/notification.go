package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Notification kinds, under Mastodon's names.
const (
	NotifyFollow        = "follow"
	NotifyFollowRequest = "follow_request"
	NotifyLike          = "like"
	NotifyBoost         = "boost"
	NotifyComment       = "comment"
)

// Notification tells a local account that someone followed it (or asked
// to), or liked, boosted or commented on one of its videos. VideoID and
// CommentID are "" when the kind has none.
type Notification struct {
	bun.BaseModel `bun:"table:notifications"`

	ID                 string    `bun:"id,pk"`
	RecipientAccountID string    `bun:"recipient_account_id,notnull"`
	Kind               string    `bun:"kind,notnull"`
	FromAccountID      string    `bun:"from_account_id,notnull"`
	From               *Account  `bun:"rel:belongs-to,join:from_account_id=id"`
	VideoID            string    `bun:"video_id,notnull"`
	Video              *Video    `bun:"rel:belongs-to,join:video_id=id"`
	CommentID          string    `bun:"comment_id,notnull"`
	Comment            *Comment  `bun:"rel:belongs-to,join:comment_id=id"`
	CreatedAt          time.Time `bun:"created_at,notnull"`
	ReadAt             time.Time `bun:"read_at,nullzero"`
}

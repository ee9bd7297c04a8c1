package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Follow states.
const (
	FollowPending  = "pending"
	FollowAccepted = "accepted"
)

// Follow is AccountID following TargetAccountID; URI is the Follow activity's id.
type Follow struct {
	bun.BaseModel `bun:"table:follows"`

	ID              string    `bun:"id,pk"`
	AccountID       string    `bun:"account_id,notnull"`
	TargetAccountID string    `bun:"target_account_id,notnull"`
	URI             string    `bun:"uri,notnull"`
	State           string    `bun:"state,notnull"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
	UpdatedAt       time.Time `bun:"updated_at,notnull"`
}

// Reaction kinds: likes and boosts share one table.
const (
	ReactionLike  = "like"
	ReactionBoost = "boost"
)

// Reaction is a like or a boost (Announce) of a video.
type Reaction struct {
	bun.BaseModel `bun:"table:reactions"`

	ID        string    `bun:"id,pk"`
	Kind      string    `bun:"kind,notnull"`
	AccountID string    `bun:"account_id,notnull"`
	VideoID   string    `bun:"video_id,notnull"`
	URI       string    `bun:"uri,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Comment is a reply (a Note with inReplyTo) on a video.
type Comment struct {
	bun.BaseModel `bun:"table:comments"`

	ID        string    `bun:"id,pk"`
	VideoID   string    `bun:"video_id,notnull"`
	AccountID string    `bun:"account_id,notnull"`
	Account   *Account  `bun:"rel:belongs-to,join:account_id=id"`
	URI       string    `bun:"uri,notnull"`
	URL       string    `bun:"url,notnull"`
	InReplyTo string    `bun:"in_reply_to,notnull"`
	Content   string    `bun:"content,notnull"` // sanitized HTML
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}

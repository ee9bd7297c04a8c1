package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Video states.
const (
	VideoProcessing = "processing"
	VideoReady      = "ready"
	VideoFailed     = "failed"
)

// Where a synthetic-media label came from, strongest first (DESIGN.md §5).
const (
	LabelGenerated = "generated"
	LabelDetected  = "detected"
	LabelDeclared  = "declared"
	LabelRemote    = "remote"
)

// Video is a clip, local or remote. Remote videos keep their remote media
// URLs; ObjectType says what the origin called it (Video, or a Note with a
// video attachment).
type Video struct {
	bun.BaseModel `bun:"table:videos"`

	ID                string    `bun:"id,pk"`
	AccountID         string    `bun:"account_id,notnull"`
	Account           *Account  `bun:"rel:belongs-to,join:account_id=id"`
	Local             bool      `bun:"local,notnull"`
	URI               string    `bun:"uri,notnull"` // ActivityPub id
	URL               string    `bun:"url,notnull"` // watch page
	ObjectType        string    `bun:"object_type,notnull"`
	Title             string    `bun:"title,notnull"`
	Description       string    `bun:"description,notnull"` // local: plain text; remote: sanitized HTML
	State             string    `bun:"state,notnull"`
	FailureReason     string    `bun:"failure_reason,notnull"`
	Synthetic         bool      `bun:"synthetic,notnull"`
	DigitalSourceType string    `bun:"digital_source_type,notnull"` // IRI or ""
	LabelSource       string    `bun:"label_source,notnull"`        // LabelGenerated… or ""
	LabelDetail       string    `bun:"label_detail,notnull"`        // why: what detection found, or the generator
	Generator         string    `bun:"generator,notnull"`           // backend and model, for clips this server generated
	Prompt            string    `bun:"prompt,notnull"`              // shown only when the creator chose to
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

	Media []*MediaFile `bun:"rel:has-many,join:id=video_id"`
	Tags  []*VideoTag  `bun:"rel:has-many,join:id=video_id"`
}

// Media file roles.
const (
	MediaOriginal  = "original"
	MediaRendition = "rendition"
	MediaThumbnail = "thumbnail"
)

// MediaFile is one playable file (or thumbnail) of a video. Local files have
// a storage Path; remote ones only a URL.
type MediaFile struct {
	bun.BaseModel `bun:"table:media_files"`

	ID        string    `bun:"id,pk"`
	VideoID   string    `bun:"video_id,notnull"`
	Role      string    `bun:"role,notnull"`
	URL       string    `bun:"url,notnull"`
	Path      string    `bun:"path,notnull"`
	MimeType  string    `bun:"mime_type,notnull"`
	Width     int       `bun:"width,notnull"`
	Height    int       `bun:"height,notnull"`
	Size      int64     `bun:"size,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// VideoTag is a hashtag on a video, lowercased without the '#'.
type VideoTag struct {
	bun.BaseModel `bun:"table:video_tags"`

	VideoID string `bun:"video_id,pk"`
	Name    string `bun:"name,pk"`
}

package model

import (
	"time"

	"github.com/uptrace/bun"
)

// InboxItem is an activity received at an inbox: stored raw after its
// signature is checked and before it is processed, keyed by activity id so
// a replay has no second effect.
type InboxItem struct {
	bun.BaseModel `bun:"table:inbox_items"`

	ID         string    `bun:"id,pk"`       // ULID
	URI        string    `bun:"uri,notnull"` // the activity id
	ActorURI   string    `bun:"actor_uri,notnull"`
	Type       string    `bun:"type,notnull"`
	Body       string    `bun:"body,notnull"`
	ReceivedAt time.Time `bun:"received_at,notnull"`
}

// OutboxActivity is an activity we published; deliveries are `deliver` jobs
// that point at it.
type OutboxActivity struct {
	bun.BaseModel `bun:"table:outbox_activities"`

	ID        string    `bun:"id,pk"`
	AccountID string    `bun:"account_id,notnull"`
	URI       string    `bun:"uri,notnull"`
	Type      string    `bun:"type,notnull"`
	ObjectURI string    `bun:"object_uri,notnull"`
	Public    bool      `bun:"public,notnull"`
	Synthetic bool      `bun:"synthetic,notnull"` // carries synthetic media: never sent to AI-free servers
	Body      string    `bun:"body,notnull"`      // the JSON sent
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Domain block severities.
const (
	BlockSuspend = "suspend"
	BlockSilence = "silence"
)

// DomainBlock keeps a whole remote server out (suspend) or off the federated
// timeline (silence).
type DomainBlock struct {
	bun.BaseModel `bun:"table:domain_blocks"`

	Domain    string    `bun:"domain,pk"`
	Severity  string    `bun:"severity,notnull"`
	Reason    string    `bun:"reason,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
}

// Report is a Flag received from another server (or filed locally).
type Report struct {
	bun.BaseModel `bun:"table:reports"`

	ID              string    `bun:"id,pk"`
	URI             string    `bun:"uri,notnull"`
	AccountID       string    `bun:"account_id,notnull"` // who reported
	TargetAccountID string    `bun:"target_account_id,notnull"`
	ObjectURIs      string    `bun:"object_uris,notnull"` // JSON array
	Content         string    `bun:"content,notnull"`
	CreatedAt       time.Time `bun:"created_at,notnull"`
	ResolvedAt      time.Time `bun:"resolved_at,nullzero"`
}

// Peer is what another server's NodeInfo said, cached: whether it is an
// AI-free instance that must not be sent synthetic media.
type Peer struct {
	bun.BaseModel `bun:"table:peers"`

	Domain    string    `bun:"domain,pk"`
	Software  string    `bun:"software,notnull"`
	AIFree    bool      `bun:"ai_free,notnull"`
	FetchedAt time.Time `bun:"fetched_at,notnull"`
}

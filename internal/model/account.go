// Package model holds the bun models: the schema's Go face. Migrations keep
// their own frozen copies; these may change as long as a migration follows.
package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Account is an actor, local or remote. Local accounts have Domain "" and a
// private key; remote ones are a cache of what their server says.
type Account struct {
	bun.BaseModel `bun:"table:accounts"`

	ID                        string    `bun:"id,pk"`
	Username                  string    `bun:"username,notnull"`
	Domain                    string    `bun:"domain,notnull"`
	DisplayName               string    `bun:"display_name,notnull"`
	Summary                   string    `bun:"summary,notnull"`
	URI                       string    `bun:"uri,notnull"`
	URL                       string    `bun:"url,notnull"`
	InboxURI                  string    `bun:"inbox_uri,notnull"`
	SharedInboxURI            string    `bun:"shared_inbox_uri,notnull"`
	OutboxURI                 string    `bun:"outbox_uri,notnull"`
	FollowersURI              string    `bun:"followers_uri,notnull"`
	FollowingURI              string    `bun:"following_uri,notnull"`
	PublicKeyURI              string    `bun:"public_key_uri,notnull"`
	PublicKeyPEM              string    `bun:"public_key_pem,notnull"`
	PrivateKeyPEM             string    `bun:"private_key_pem,notnull"`
	ManuallyApprovesFollowers bool      `bun:"manually_approves_followers,notnull"`
	ActorType                 string    `bun:"actor_type,notnull"` // Person, Group, Service, Application
	IconURL                   string    `bun:"icon_url,notnull"`
	Gone                      bool      `bun:"gone,notnull"` // its server answered 410
	CreatedAt                 time.Time `bun:"created_at,notnull"`
	UpdatedAt                 time.Time `bun:"updated_at,notnull"`
	FetchedAt                 time.Time `bun:"fetched_at,nullzero"`
}

// IsLocal reports whether this server owns the account.
func (a *Account) IsLocal() bool { return a.Domain == "" }

// Acct names the account as follow forms, profile addresses and the API do:
// NAME for someone here, NAME@DOMAIN for someone elsewhere.
func (a *Account) Acct() string {
	if a.IsLocal() {
		return a.Username
	}
	return a.Username + "@" + a.Domain
}

// User is the login side of a local account.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID           string    `bun:"id,pk"`
	AccountID    string    `bun:"account_id,notnull"`
	Account      *Account  `bun:"rel:belongs-to,join:account_id=id"`
	Email        string    `bun:"email,notnull"`
	PasswordHash string    `bun:"password_hash,notnull"`
	Admin        bool      `bun:"admin,notnull"`
	DefaultMedia string    `bun:"default_media,notnull"` // the timeline filter used when a request names none: all, human or ai
	CreatedAt    time.Time `bun:"created_at,notnull"`
	UpdatedAt    time.Time `bun:"updated_at,notnull"`
}

// Session is a web login. ID is the SHA-256 of the cookie value, so a copy of
// the table cannot be replayed as cookies.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         string    `bun:"id,pk"`
	UserID     string    `bun:"user_id,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	ExpiresAt  time.Time `bun:"expires_at,notnull"`
	LastSeenAt time.Time `bun:"last_seen_at,notnull"`
	UserAgent  string    `bun:"user_agent,notnull"`
}

// APIToken is a bearer token for scripts. Only its SHA-256 is stored: the
// token itself has 256 bits of entropy, so a fast hash is enough.
type APIToken struct {
	bun.BaseModel `bun:"table:api_tokens"`

	ID         string    `bun:"id,pk"`
	UserID     string    `bun:"user_id,notnull"`
	TokenHash  string    `bun:"token_hash,notnull"`
	Name       string    `bun:"name,notnull"`
	CreatedAt  time.Time `bun:"created_at,notnull"`
	LastUsedAt time.Time `bun:"last_used_at,nullzero"`
}

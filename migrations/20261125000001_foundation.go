package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// The models as they stood at the foundation: accounts and their logins,
// sessions, API tokens, the instance settings row, and durable jobs.
type (
	m1Account struct {
		bun.BaseModel             `bun:"table:accounts"`
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
		CreatedAt                 time.Time `bun:"created_at,notnull"`
		UpdatedAt                 time.Time `bun:"updated_at,notnull"`
		FetchedAt                 time.Time `bun:"fetched_at,nullzero"`
	}
	m1User struct {
		bun.BaseModel `bun:"table:users"`
		ID            string    `bun:"id,pk"`
		AccountID     string    `bun:"account_id,notnull"`
		Email         string    `bun:"email,notnull"`
		PasswordHash  string    `bun:"password_hash,notnull"`
		Admin         bool      `bun:"admin,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
		UpdatedAt     time.Time `bun:"updated_at,notnull"`
	}
	m1Session struct {
		bun.BaseModel `bun:"table:sessions"`
		ID            string    `bun:"id,pk"`
		UserID        string    `bun:"user_id,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
		ExpiresAt     time.Time `bun:"expires_at,notnull"`
		LastSeenAt    time.Time `bun:"last_seen_at,notnull"`
		UserAgent     string    `bun:"user_agent,notnull"`
	}
	m1APIToken struct {
		bun.BaseModel `bun:"table:api_tokens"`
		ID            string    `bun:"id,pk"`
		UserID        string    `bun:"user_id,notnull"`
		TokenHash     string    `bun:"token_hash,notnull"`
		Name          string    `bun:"name,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
		LastUsedAt    time.Time `bun:"last_used_at,nullzero"`
	}
	m1Instance struct {
		bun.BaseModel     `bun:"table:instance"`
		ID                int64     `bun:"id,pk"`
		Name              string    `bun:"name,notnull"`
		Description       string    `bun:"description,notnull"`
		AIFree            bool      `bun:"ai_free,notnull"`
		RegistrationsOpen bool      `bun:"registrations_open,notnull"`
		Secret            string    `bun:"secret,notnull"`
		UpdatedAt         time.Time `bun:"updated_at,notnull"`
	}
	m1Job struct {
		bun.BaseModel `bun:"table:jobs"`
		ID            string    `bun:"id,pk"`
		Queue         string    `bun:"queue,notnull"`
		Kind          string    `bun:"kind,notnull"`
		Ref           string    `bun:"ref,notnull"`
		Payload       string    `bun:"payload,notnull"`
		State         string    `bun:"state,notnull"`
		Attempts      int       `bun:"attempts,notnull"`
		MaxAttempts   int       `bun:"max_attempts,notnull"`
		RunAt         time.Time `bun:"run_at,notnull"`
		LockedUntil   time.Time `bun:"locked_until,nullzero"`
		LastError     string    `bun:"last_error,notnull"`
		CreatedAt     time.Time `bun:"created_at,notnull"`
		UpdatedAt     time.Time `bun:"updated_at,notnull"`
		FinishedAt    time.Time `bun:"finished_at,nullzero"`
	}
)

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return createTables(ctx, tx,
				[]any{(*m1Account)(nil), (*m1User)(nil), (*m1Session)(nil), (*m1APIToken)(nil), (*m1Instance)(nil), (*m1Job)(nil)},
				[]index{
					{"accounts", "accounts_username_domain_key", true, []string{"username", "domain"}},
					{"accounts", "accounts_uri_key", true, []string{"uri"}},
					{"users", "users_account_id_key", true, []string{"account_id"}},
					{"sessions", "sessions_user_id_idx", false, []string{"user_id"}},
					{"api_tokens", "api_tokens_token_hash_key", true, []string{"token_hash"}},
					{"api_tokens", "api_tokens_user_id_idx", false, []string{"user_id"}},
					{"jobs", "jobs_state_run_at_idx", false, []string{"state", "run_at"}},
					{"jobs", "jobs_ref_idx", false, []string{"ref"}},
				})
		})
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

package store

import (
	"context"
	"time"

	"github.com/uptrace/bun/dialect"

	"github.com/assay-social/assay/internal/model"
)

// CreateLocalUser inserts a local account and its login together.
func (s *Store) CreateLocalUser(ctx context.Context, acct *model.Account, user *model.User) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.NewInsert().Model(acct).Exec(ctx); err != nil {
			return mapErr(err)
		}
		user.AccountID = acct.ID
		_, err := tx.db.NewInsert().Model(user).Exec(ctx)
		return mapErr(err)
	})
}

// LocalUserByUsername finds a local login with its account.
func (s *Store) LocalUserByUsername(ctx context.Context, username string) (*model.User, error) {
	u := new(model.User)
	err := s.db.NewSelect().Model(u).Relation("Account").
		Where("account.username = ? AND account.domain = ''", username).
		Scan(ctx)
	return one(u, err)
}

// UserByID finds a login with its account.
func (s *Store) UserByID(ctx context.Context, id string) (*model.User, error) {
	u := new(model.User)
	err := s.db.NewSelect().Model(u).Relation("Account").Where("?TableAlias.id = ?", id).Scan(ctx)
	return one(u, err)
}

// UpdateUserPreferences saves the settings a user changes for themselves.
func (s *Store) UpdateUserPreferences(ctx context.Context, u *model.User) error {
	u.UpdatedAt = time.Now().UTC()
	_, err := s.db.NewUpdate().Model(u).Column("default_media", "updated_at").WherePK().Exec(ctx)
	return mapErr(err)
}

// AccountForUpdate reads an account inside a transaction that will change
// it, holding its row until the transaction ends (on PostgreSQL; SQLite
// runs one writer at a time already), so two changes of one profile apply
// one after the other instead of the later undoing the earlier.
func (s *Store) AccountForUpdate(ctx context.Context, id string) (*model.Account, error) {
	a := new(model.Account)
	q := s.db.NewSelect().Model(a).Where("id = ?", id)
	if s.Dialect() == dialect.PG {
		q = q.For("UPDATE")
	}
	return one(a, q.Scan(ctx))
}

// UpdateAccountProfile saves what a person shows others: display name,
// bio, avatar and whether they approve each follower. It stamps updated_at, which cached pages showing the
// account compare.
func (s *Store) UpdateAccountProfile(ctx context.Context, a *model.Account) error {
	a.UpdatedAt = time.Now().UTC()
	_, err := s.db.NewUpdate().Model(a).Column("display_name", "summary", "icon_url", "manually_approves_followers", "updated_at").WherePK().Exec(ctx)
	return mapErr(err)
}

// CountLocalUsers is for NodeInfo and the first-user-is-admin rule.
func (s *Store) CountLocalUsers(ctx context.Context) (int64, error) {
	n, err := s.db.NewSelect().Model((*model.User)(nil)).Count(ctx)
	return n, mapErr(err)
}

// AccountByID reads one account.
func (s *Store) AccountByID(ctx context.Context, id string) (*model.Account, error) {
	a := new(model.Account)
	return one(a, s.db.NewSelect().Model(a).Where("id = ?", id).Scan(ctx))
}

// AccountByURI finds an account by its ActivityPub id.
func (s *Store) AccountByURI(ctx context.Context, uri string) (*model.Account, error) {
	a := new(model.Account)
	return one(a, s.db.NewSelect().Model(a).Where("uri = ?", uri).Scan(ctx))
}

// AccountByKeyURI finds the owner of a public key id.
func (s *Store) AccountByKeyURI(ctx context.Context, keyURI string) (*model.Account, error) {
	a := new(model.Account)
	return one(a, s.db.NewSelect().Model(a).Where("public_key_uri = ?", keyURI).Limit(1).Scan(ctx))
}

// AccountByName finds an account by username and domain ("" for local).
func (s *Store) AccountByName(ctx context.Context, username, domain string) (*model.Account, error) {
	a := new(model.Account)
	return one(a, s.db.NewSelect().Model(a).Where("username = ? AND domain = ?", username, domain).Scan(ctx))
}

// UpsertRemoteAccount stores what a remote server says about an actor,
// keyed by its URI, and returns the stored row (with its id).
func (s *Store) UpsertRemoteAccount(ctx context.Context, a *model.Account) (*model.Account, error) {
	_, err := s.db.NewInsert().Model(a).
		On("CONFLICT (uri) DO UPDATE").
		Set("username = EXCLUDED.username, display_name = EXCLUDED.display_name, summary = EXCLUDED.summary").
		Set("url = EXCLUDED.url, inbox_uri = EXCLUDED.inbox_uri, shared_inbox_uri = EXCLUDED.shared_inbox_uri").
		Set("outbox_uri = EXCLUDED.outbox_uri, followers_uri = EXCLUDED.followers_uri, following_uri = EXCLUDED.following_uri").
		Set("public_key_uri = EXCLUDED.public_key_uri, public_key_pem = EXCLUDED.public_key_pem").
		Set("manually_approves_followers = EXCLUDED.manually_approves_followers, actor_type = EXCLUDED.actor_type").
		Set("icon_url = EXCLUDED.icon_url, gone = FALSE, updated_at = EXCLUDED.updated_at, fetched_at = EXCLUDED.fetched_at").
		Where("?TableAlias.domain <> ''"). // never overwrite a local account
		Exec(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	return s.AccountByURI(ctx, a.URI)
}

// MarkAccountGone records that an actor's server answered 410 Gone.
func (s *Store) MarkAccountGone(ctx context.Context, uri string) error {
	_, err := s.db.NewUpdate().Model((*model.Account)(nil)).Set("gone = TRUE").Set("updated_at = ?", time.Now().UTC()).
		Where("uri = ? AND domain <> ''", uri).Exec(ctx)
	return mapErr(err)
}

// DeleteRemoteAccount removes a remote actor and everything it made here.
func (s *Store) DeleteRemoteAccount(ctx context.Context, accountID string) error {
	return s.InTx(ctx, func(tx *Store) error {
		var videoIDs, touched []string
		if err := tx.db.NewSelect().Model((*model.Video)(nil)).Column("id").Where("account_id = ?", accountID).Scan(ctx, &videoIDs); err != nil {
			return mapErr(err)
		}
		for _, id := range videoIDs {
			if err := tx.DeleteVideo(ctx, id); err != nil {
				return err
			}
		}
		for _, m := range []any{(*model.Reaction)(nil), (*model.Comment)(nil)} {
			var ids []string
			if err := tx.db.NewSelect().Model(m).Column("video_id").Where("account_id = ?", accountID).Scan(ctx, &ids); err != nil {
				return mapErr(err)
			}
			touched = append(touched, ids...)
			if _, err := tx.db.NewDelete().Model(m).Where("account_id = ?", accountID).Exec(ctx); err != nil {
				return mapErr(err)
			}
		}
		if _, err := tx.db.NewDelete().Model((*model.Follow)(nil)).
			Where("account_id = ? OR target_account_id = ?", accountID, accountID).Exec(ctx); err != nil {
			return mapErr(err)
		}
		if _, err := tx.db.NewDelete().Model((*model.Notification)(nil)).Where("from_account_id = ?", accountID).Exec(ctx); err != nil {
			return mapErr(err)
		}
		for _, id := range touched {
			if err := tx.Recount(ctx, id); err != nil {
				return err
			}
		}
		_, err := tx.db.NewDelete().Model((*model.Account)(nil)).Where("id = ? AND domain <> ''", accountID).Exec(ctx)
		return mapErr(err)
	})
}

package store

import (
	"context"

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

// CountLocalUsers is for NodeInfo and the first-user-is-admin rule.
func (s *Store) CountLocalUsers(ctx context.Context) (int64, error) {
	n, err := s.db.NewSelect().Model((*model.User)(nil)).Count(ctx)
	return n, mapErr(err)
}

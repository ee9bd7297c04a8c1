package store

import (
	"context"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// UpsertFollow records that account follows target (or asked to). A repeat
// request keeps the existing row, refreshing its activity URI.
func (s *Store) UpsertFollow(ctx context.Context, f *model.Follow) (*model.Follow, error) {
	_, err := s.db.NewInsert().Model(f).
		On("CONFLICT (account_id, target_account_id) DO UPDATE").
		Set("uri = EXCLUDED.uri, updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return nil, mapErr(err)
	}
	return s.FollowBetween(ctx, f.AccountID, f.TargetAccountID)
}

// FollowBetween finds the follow of target by account.
func (s *Store) FollowBetween(ctx context.Context, accountID, targetID string) (*model.Follow, error) {
	f := new(model.Follow)
	return one(f, s.db.NewSelect().Model(f).Where("account_id = ? AND target_account_id = ?", accountID, targetID).Scan(ctx))
}

// FollowByURI finds a follow by its Follow activity id.
func (s *Store) FollowByURI(ctx context.Context, uri string) (*model.Follow, error) {
	f := new(model.Follow)
	return one(f, s.db.NewSelect().Model(f).Where("uri = ?", uri).Limit(1).Scan(ctx))
}

// SetFollowState accepts a pending follow.
func (s *Store) SetFollowState(ctx context.Context, id, state string) error {
	_, err := s.db.NewUpdate().Model((*model.Follow)(nil)).Set("state = ?", state).Set("updated_at = ?", time.Now().UTC()).
		Where("id = ?", id).Exec(ctx)
	return mapErr(err)
}

// DeleteFollow removes a follow.
func (s *Store) DeleteFollow(ctx context.Context, id string) error {
	_, err := s.db.NewDelete().Model((*model.Follow)(nil)).Where("id = ?", id).Exec(ctx)
	return mapErr(err)
}

// FollowerInboxes returns one inbox per remote server among an account's
// accepted followers: the shared inbox where there is one.
func (s *Store) FollowerInboxes(ctx context.Context, accountID string) ([]string, error) {
	var inboxes []string
	err := s.db.NewSelect().
		TableExpr("accounts AS a").
		ColumnExpr("DISTINCT CASE WHEN a.shared_inbox_uri <> '' THEN a.shared_inbox_uri ELSE a.inbox_uri END").
		Join("JOIN follows AS f ON f.account_id = a.id").
		Where("f.target_account_id = ? AND f.state = ? AND a.domain <> '' AND a.gone = FALSE", accountID, model.FollowAccepted).
		Scan(ctx, &inboxes)
	return inboxes, mapErr(err)
}

// FollowAccounts pages an account's followers (or, with following, whom it
// follows): accepted ones, newest first. It returns the page and the total.
func (s *Store) FollowAccounts(ctx context.Context, accountID string, following bool, offset, limit int) ([]*model.Account, int, error) {
	self, other := "target_account_id", "account_id"
	if following {
		self, other = other, self
	}
	base := s.db.NewSelect().Model((*model.Follow)(nil)).Where(self+" = ? AND state = ?", accountID, model.FollowAccepted)
	total, err := base.Count(ctx)
	if err != nil {
		return nil, 0, mapErr(err)
	}
	var accts []*model.Account
	err = s.db.NewSelect().Model(&accts).
		Join("JOIN follows AS f ON f."+other+" = ?TableAlias.id").
		Where("f."+self+" = ? AND f.state = ?", accountID, model.FollowAccepted).
		OrderExpr("f.id DESC").Offset(int64(offset)).Limit(int64(limit)).Scan(ctx)
	return accts, int(total), mapErr(err)
}

// FollowRequest finds a request to follow target, by id, that still awaits
// the target's approval.
func (s *Store) FollowRequest(ctx context.Context, id, targetID string) (*model.Follow, error) {
	f := new(model.Follow)
	return one(f, s.db.NewSelect().Model(f).
		Where("id = ? AND target_account_id = ? AND state = ?", id, targetID, model.FollowPending).Scan(ctx))
}

// PendingFollowers lists follow requests awaiting an account's approval.
func (s *Store) PendingFollowers(ctx context.Context, accountID string) ([]*model.Follow, error) {
	var fs []*model.Follow
	err := s.db.NewSelect().Model(&fs).Where("target_account_id = ? AND state = ?", accountID, model.FollowPending).Order("id").Scan(ctx)
	return fs, mapErr(err)
}

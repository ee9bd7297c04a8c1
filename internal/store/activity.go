package store

import (
	"context"

	"github.com/assay-social/assay/internal/model"
)

// InsertNewInboxItems stores a batch of received activities in one
// statement and returns the ids of those stored; an activity whose id is
// already stored (or repeated within the batch) is skipped.
func (s *Store) InsertNewInboxItems(ctx context.Context, items []*model.InboxItem) ([]string, error) {
	var ids []string
	err := s.db.NewInsert().Model(&items).On("CONFLICT (uri) DO NOTHING").Returning("id").Scan(ctx, &ids)
	return ids, mapErr(err)
}

// InboxItemByID reads a received activity.
func (s *Store) InboxItemByID(ctx context.Context, id string) (*model.InboxItem, error) {
	it := new(model.InboxItem)
	return one(it, s.db.NewSelect().Model(it).Where("id = ?", id).Scan(ctx))
}

// InsertOutboxActivity stores an activity we publish.
func (s *Store) InsertOutboxActivity(ctx context.Context, a *model.OutboxActivity) error {
	_, err := s.db.NewInsert().Model(a).Exec(ctx)
	return mapErr(err)
}

// OutboxActivityByID reads a published activity.
func (s *Store) OutboxActivityByID(ctx context.Context, id string) (*model.OutboxActivity, error) {
	a := new(model.OutboxActivity)
	return one(a, s.db.NewSelect().Model(a).Where("id = ?", id).Scan(ctx))
}

// OutboxPage lists an account's public activities, newest first, and the total.
func (s *Store) OutboxPage(ctx context.Context, accountID string, offset, limit int) ([]*model.OutboxActivity, int, error) {
	var acts []*model.OutboxActivity
	q := s.db.NewSelect().Model(&acts).Where("account_id = ? AND public = TRUE", accountID)
	total, err := q.Count(ctx)
	if err != nil {
		return nil, 0, mapErr(err)
	}
	err = q.Order("id DESC").Offset(int64(offset)).Limit(int64(limit)).Scan(ctx)
	return acts, int(total), mapErr(err)
}

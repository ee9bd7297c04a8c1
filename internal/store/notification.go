package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/assay-social/assay/internal/model"
)

// AddNotification stores a notification; the same one twice (a retried
// inbox job, a repeated Follow) is ignored.
func (s *Store) AddNotification(ctx context.Context, n *model.Notification) error {
	_, err := s.db.NewInsert().Model(n).On("CONFLICT DO NOTHING").Exec(ctx)
	return mapErr(err)
}

// DeleteReactionNotification removes the notification of a like or boost
// that was withdrawn.
func (s *Store) DeleteReactionNotification(ctx context.Context, kind, fromID, videoID string) error {
	_, err := s.db.NewDelete().Model((*model.Notification)(nil)).
		Where("kind = ? AND from_account_id = ? AND video_id = ?", kind, fromID, videoID).Exec(ctx)
	return mapErr(err)
}

// DeleteFollowNotification removes the notification of a follow (or follow
// request) that was withdrawn.
func (s *Store) DeleteFollowNotification(ctx context.Context, fromID, recipientID string) error {
	_, err := s.db.NewDelete().Model((*model.Notification)(nil)).
		Where("kind IN (?, ?) AND from_account_id = ? AND recipient_account_id = ?",
			model.NotifyFollow, model.NotifyFollowRequest, fromID, recipientID).Exec(ctx)
	return mapErr(err)
}

// SettleFollowRequestNotification turns the notification of an approved
// follow request into that of a follow: the request is answered, the
// follower stays.
func (s *Store) SettleFollowRequestNotification(ctx context.Context, fromID, recipientID string) error {
	_, err := s.db.NewUpdate().Model((*model.Notification)(nil)).Set("kind = ?", model.NotifyFollow).
		Where("kind = ? AND from_account_id = ? AND recipient_account_id = ?", model.NotifyFollowRequest, fromID, recipientID).Exec(ctx)
	return mapErr(err)
}

// Notifications pages an account's notifications, newest first, with who
// they are from and the video and comment they are about (nil when none).
func (s *Store) Notifications(ctx context.Context, recipientID, maxID string, limit int) ([]*model.Notification, error) {
	var ns []*model.Notification
	q := s.db.NewSelect().Model(&ns).
		Relation("From").Relation("Video").Relation("Video.Account").Relation("Video.Media").Relation("Comment").
		Where("notification.recipient_account_id = ?", recipientID).
		OrderExpr("notification.id DESC").Limit(int64(limit))
	if maxID != "" {
		q = q.Where("notification.id < ?", maxID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, mapErr(err)
	}
	for _, n := range ns {
		if n.VideoID == "" {
			n.Video = nil
		}
		if n.CommentID == "" {
			n.Comment = nil
		}
	}
	return ns, nil
}

// CountUnreadNotifications is the number on the badge in every page's
// header: one count over the (recipient, read_at) index, kept in memory
// until the next write (see epochCache).
func (s *Store) CountUnreadNotifications(ctx context.Context, recipientID string) (int, error) {
	return keptRead(s, &s.memo.unread, recipientID, func() (int, error) {
		n, err := s.db.NewSelect().Model((*model.Notification)(nil)).
			Where("recipient_account_id = ? AND read_at IS NULL", recipientID).Count(ctx)
		return int(n), mapErr(err)
	})
}

// MarkNotificationsRead marks the given notifications of recipient read.
func (s *Store) MarkNotificationsRead(ctx context.Context, recipientID string, ids []string, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.NewUpdate().Model((*model.Notification)(nil)).Set("read_at = ?", at).
		Where("recipient_account_id = ? AND read_at IS NULL AND id IN (?)", recipientID, bun.In(ids)).Exec(ctx)
	return mapErr(err)
}

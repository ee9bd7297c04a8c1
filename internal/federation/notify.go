package federation

import (
	"context"
	"time"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// The writes behind follows, reactions and comments that also notify the
// local person they concern, in the same transaction: the local and the
// inbox paths of each event share them, so both notify alike. Nobody is
// notified of their own doing, and remote accounts are never notified
// (their own server does that).

// notify stores a notification for recipient when it is a local account
// and not the one acting.
func notify(ctx context.Context, tx *store.Store, kind string, from *model.Account, recipientID string, recipientLocal bool, videoID, commentID string) error {
	if !recipientLocal || recipientID == from.ID {
		return nil
	}
	return tx.AddNotification(ctx, &model.Notification{
		ID: model.NewID(), RecipientAccountID: recipientID, Kind: kind, FromAccountID: from.ID,
		VideoID: videoID, CommentID: commentID, CreatedAt: time.Now().UTC(),
	})
}

// notifyFollow tells target about a new follower, or about a request that
// waits for its approval.
func notifyFollow(ctx context.Context, tx *store.Store, follower, target *model.Account, pending bool) error {
	kind := model.NotifyFollow
	if pending {
		kind = model.NotifyFollowRequest
	}
	return notify(ctx, tx, kind, follower, target.ID, target.IsLocal(), "", "")
}

// addReaction stores a like or boost of v by actor and notifies v's author;
// created is false for a repeat.
func addReaction(ctx context.Context, st *store.Store, actor *model.Account, v *model.Video, r *model.Reaction) (created bool, err error) {
	err = st.InTx(ctx, func(tx *store.Store) error {
		if _, created, err = tx.AddReaction(ctx, r); err != nil || !created {
			return err
		}
		return notify(ctx, tx, reactionNotice(r.Kind), actor, v.AccountID, v.Local, v.ID, "")
	})
	return created, err
}

// reactionNotice is the notification kind of a reaction kind.
func reactionNotice(kind string) string {
	if kind == model.ReactionBoost {
		return model.NotifyBoost
	}
	return model.NotifyLike
}

// deleteReaction withdraws a like or boost and its notification.
func deleteReaction(ctx context.Context, st *store.Store, r *model.Reaction) error {
	return st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.DeleteReaction(ctx, r); err != nil {
			return err
		}
		return tx.DeleteReactionNotification(ctx, reactionNotice(r.Kind), r.AccountID, r.VideoID)
	})
}

// addComment stores a comment on v and notifies v's author; created is
// false for a repeat.
func addComment(ctx context.Context, st *store.Store, author *model.Account, v *model.Video, c *model.Comment) (created bool, err error) {
	err = st.InTx(ctx, func(tx *store.Store) error {
		if created, err = tx.AddComment(ctx, c); err != nil || !created {
			return err
		}
		return notify(ctx, tx, model.NotifyComment, author, v.AccountID, v.Local, v.ID, c.ID)
	})
	return created, err
}

// deleteFollow ends a follow (or request) and removes its notification.
func deleteFollow(ctx context.Context, st *store.Store, f *model.Follow) error {
	return st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.DeleteFollow(ctx, f.ID); err != nil {
			return err
		}
		return tx.DeleteFollowNotification(ctx, f.AccountID, f.TargetAccountID)
	})
}

package federation

import (
	"context"

	"github.com/go-fed/activity/streams/vocab"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// VideoPublished sends Create{Video} to the author's followers. Call it
// through tx, in the transaction that makes the video ready.
func (f *Service) VideoPublished(ctx context.Context, tx *store.Store, v *model.Video) error {
	return f.publishVideo(ctx, tx, v, "Create")
}

// VideoUpdated sends Update{Video}.
func (f *Service) VideoUpdated(ctx context.Context, tx *store.Store, v *model.Video) error {
	return f.publishVideo(ctx, tx, v, "Update")
}

func (f *Service) publishVideo(ctx context.Context, tx *store.Store, v *model.Video, kind string) error {
	author := v.Account
	obj, err := ap.VideoObject(f.paths, v, author, v.Generator)
	if err != nil {
		return err
	}
	inboxes, err := f.audience(ctx, tx, author)
	if err != nil {
		return err
	}
	id, uri := f.newActivity()
	to, cc := []string{ap.Public}, []string{author.FollowersURI}
	var act vocab.Type = ap.Create(uri, author.URI, obj, to, cc)
	if kind == "Update" {
		act = ap.Update(uri, author.URI, obj, to, cc)
	}
	return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: author, kind: kind, objectURI: v.URI, public: true,
		synthetic: v.Synthetic, activity: act, inboxes: inboxes})
}

// VideoDeleted sends Delete{Tombstone} to the followers and to the remote
// accounts that liked, boosted or commented on it (they hold copies).
func (f *Service) VideoDeleted(ctx context.Context, tx *store.Store, v *model.Video) error {
	author := v.Account
	inboxes, err := f.audience(ctx, tx, author)
	if err != nil {
		return err
	}
	var interacted []string
	err = tx.DB().NewSelect().TableExpr("accounts AS a").
		ColumnExpr("DISTINCT CASE WHEN a.shared_inbox_uri <> '' THEN a.shared_inbox_uri ELSE a.inbox_uri END").
		Where("a.domain <> ''").
		Where("a.id IN (SELECT account_id FROM reactions WHERE video_id = ?) OR a.id IN (SELECT account_id FROM comments WHERE video_id = ?)", v.ID, v.ID).
		Scan(ctx, &interacted)
	if err != nil {
		return err
	}
	id, uri := f.newActivity()
	to, cc := []string{ap.Public}, []string{author.FollowersURI}
	return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: author, kind: "Delete", objectURI: v.URI, public: true,
		activity: ap.Delete(uri, author.URI, v.URI, to, cc), inboxes: append(inboxes, interacted...)})
}

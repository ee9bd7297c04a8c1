package federation

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// Follow makes actor follow target ("name@domain" or an actor URL). A local
// target answers at once; a remote one gets a Follow and stays pending until
// its server accepts.
func (f *Service) Follow(ctx context.Context, actor *model.Account, target string) (*model.Follow, error) {
	targetAcct, err := f.ResolveActor(ctx, target)
	if err != nil {
		return nil, err
	}
	if targetAcct.ID == actor.ID {
		return nil, apperr.BadRequest("you cannot follow yourself")
	}
	if targetAcct.Username == InstanceActorName && targetAcct.IsLocal() {
		return nil, apperr.BadRequest("the instance actor cannot be followed")
	}
	if existing, err := f.store.FollowBetween(ctx, actor.ID, targetAcct.ID); err == nil && existing.State == model.FollowAccepted {
		return existing, nil
	}
	id, uri := f.newActivity()
	now := time.Now().UTC()
	state := model.FollowPending
	if targetAcct.IsLocal() && !targetAcct.ManuallyApprovesFollowers {
		state = model.FollowAccepted
	}
	var out *model.Follow
	err = f.store.InTx(ctx, func(tx *store.Store) error {
		out, err = tx.UpsertFollow(ctx, &model.Follow{
			ID: model.NewID(), AccountID: actor.ID, TargetAccountID: targetAcct.ID, URI: uri, State: state,
			CreatedAt: now, UpdatedAt: now,
		})
		if err != nil || targetAcct.IsLocal() {
			return err
		}
		return f.publish(ctx, tx, outgoing{
			id: id, uri: uri, actor: actor, kind: "Follow", objectURI: targetAcct.URI,
			activity: ap.Follow(uri, actor.URI, targetAcct.URI), inboxes: []string{targetAcct.InboxURI},
		})
	})
	return out, err
}

// Unfollow ends a follow (or withdraws a request) and tells the other side.
func (f *Service) Unfollow(ctx context.Context, actor *model.Account, target string) error {
	targetAcct, err := f.ResolveActor(ctx, target)
	if err != nil {
		return err
	}
	follow, err := f.store.FollowBetween(ctx, actor.ID, targetAcct.ID)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.NotFound("you do not follow " + target)
	}
	if err != nil {
		return err
	}
	return f.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.DeleteFollow(ctx, follow.ID); err != nil || targetAcct.IsLocal() {
			return err
		}
		id, uri := f.newActivity()
		return f.publish(ctx, tx, outgoing{
			id: id, uri: uri, actor: actor, kind: "Undo", objectURI: follow.URI,
			activity: ap.Undo(uri, actor.URI, ap.Follow(follow.URI, actor.URI, targetAcct.URI)),
			inboxes:  []string{targetAcct.InboxURI},
		})
	})
}

// ApproveFollower accepts a pending request to follow owner.
func (f *Service) ApproveFollower(ctx context.Context, owner *model.Account, followID string) error {
	var follow model.Follow
	if err := f.store.DB().NewSelect().Model(&follow).Where("id = ? AND target_account_id = ?", followID, owner.ID).Scan(ctx); err != nil {
		return apperr.NotFound("no such follow request")
	}
	follower, err := f.store.AccountByID(ctx, follow.AccountID)
	if err != nil {
		return err
	}
	return f.store.InTx(ctx, func(tx *store.Store) error {
		return f.acceptFollow(ctx, tx, owner, follower, &follow)
	})
}

// acceptFollow marks a follow of owner accepted and, for a remote follower,
// sends the Accept.
func (f *Service) acceptFollow(ctx context.Context, tx *store.Store, owner, follower *model.Account, follow *model.Follow) error {
	if err := tx.SetFollowState(ctx, follow.ID, model.FollowAccepted); err != nil {
		return err
	}
	if follower.IsLocal() {
		return nil
	}
	id, uri := f.newActivity()
	return f.publish(ctx, tx, outgoing{
		id: id, uri: uri, actor: owner, kind: "Accept", objectURI: follow.URI,
		activity: ap.Accept(uri, owner.URI, ap.Follow(follow.URI, follower.URI, owner.URI)),
		inboxes:  []string{follower.InboxURI},
	})
}

// React likes or boosts a video. Repeats are harmless.
func (f *Service) React(ctx context.Context, actor *model.Account, videoID, kind string) (*model.Video, error) {
	v, err := f.store.VideoByID(ctx, videoID)
	if err != nil {
		return nil, notFoundVideo(err)
	}
	id, uri := f.newActivity()
	err = f.store.InTx(ctx, func(tx *store.Store) error {
		_, created, err := tx.AddReaction(ctx, &model.Reaction{
			ID: model.NewID(), Kind: kind, AccountID: actor.ID, VideoID: v.ID, URI: uri, CreatedAt: time.Now().UTC(),
		})
		if err != nil || !created {
			return err
		}
		if kind == model.ReactionLike {
			if v.Account.IsLocal() {
				return nil
			}
			return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: actor, kind: "Like", objectURI: v.URI,
				activity: ap.Like(uri, actor.URI, v.URI), inboxes: []string{inboxOf(v.Account)}})
		}
		inboxes, err := f.audience(ctx, tx, actor, v.Account)
		if err != nil {
			return err
		}
		return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: actor, kind: "Announce", objectURI: v.URI, public: true,
			synthetic: v.Synthetic, activity: ap.Announce(uri, actor.URI, v.URI, []string{ap.Public}, []string{actor.FollowersURI, v.Account.URI}, time.Now().UTC()),
			inboxes: inboxes})
	})
	if err != nil {
		return nil, err
	}
	return f.store.VideoByID(ctx, v.ID)
}

// Unreact withdraws a like or boost.
func (f *Service) Unreact(ctx context.Context, actor *model.Account, videoID, kind string) (*model.Video, error) {
	v, err := f.store.VideoByID(ctx, videoID)
	if err != nil {
		return nil, notFoundVideo(err)
	}
	r, err := f.store.ReactionBy(ctx, kind, actor.ID, v.ID)
	if errors.Is(err, store.ErrNotFound) {
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	err = f.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.DeleteReaction(ctx, r); err != nil {
			return err
		}
		id, uri := f.newActivity()
		if kind == model.ReactionLike {
			if v.Account.IsLocal() {
				return nil
			}
			return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: actor, kind: "Undo", objectURI: r.URI,
				activity: ap.Undo(uri, actor.URI, ap.Like(r.URI, actor.URI, v.URI)), inboxes: []string{inboxOf(v.Account)}})
		}
		inboxes, err := f.audience(ctx, tx, actor, v.Account)
		if err != nil {
			return err
		}
		return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: actor, kind: "Undo", objectURI: r.URI, public: true,
			activity: ap.Undo(uri, actor.URI, ap.Announce(r.URI, actor.URI, v.URI, []string{ap.Public}, []string{actor.FollowersURI}, r.CreatedAt)),
			inboxes:  inboxes})
	})
	if err != nil {
		return nil, err
	}
	return f.store.VideoByID(ctx, v.ID)
}

// MaxCommentRunes bounds a comment's text.
const MaxCommentRunes = 5000

// Comment replies to a video: a Note with inReplyTo, sent to the video's
// author and the commenter's followers.
func (f *Service) Comment(ctx context.Context, actor *model.Account, videoID, text string) (*model.Comment, error) {
	if n := len([]rune(text)); n == 0 || n > MaxCommentRunes {
		return nil, apperr.BadRequest("a comment is 1 to 5000 characters")
	}
	v, err := f.store.VideoByID(ctx, videoID)
	if err != nil {
		return nil, notFoundVideo(err)
	}
	now := time.Now().UTC()
	cid := model.NewID()
	c := &model.Comment{
		ID: cid, VideoID: v.ID, AccountID: actor.ID, URI: f.paths.CommentURI(cid), URL: f.paths.CommentURI(cid),
		InReplyTo: v.URI, Content: ap.PlainToHTML(text), CreatedAt: now, UpdatedAt: now, Account: actor,
	}
	err = f.store.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.AddComment(ctx, c); err != nil {
			return err
		}
		inboxes, err := f.audience(ctx, tx, actor, v.Account)
		if err != nil {
			return err
		}
		to, cc := []string{ap.Public}, []string{actor.FollowersURI, v.Account.URI}
		note, err := ap.CommentObject(f.paths, c, actor, v.URI, to, cc)
		if err != nil {
			return err
		}
		id, uri := f.newActivity()
		return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: actor, kind: "Create", objectURI: c.URI, public: true,
			activity: ap.Create(uri, actor.URI, note, to, cc), inboxes: inboxes})
	})
	return c, err
}

func notFoundVideo(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return apperr.NotFound("no such video")
	}
	return err
}

var errNotYours = apperr.New(http.StatusForbidden, "only its author can change this video")

package federation

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// Follow makes actor follow target ("name@domain" or an actor URL). A local
// target answers at once; a remote one gets a Follow and stays pending until
// its server accepts. Finding target counts as one of actor's lookups.
func (f *Service) Follow(ctx context.Context, actor *model.Account, target string) (*model.Follow, error) {
	targetAcct, err := f.ResolveActor(AskedBy(ctx, actor), target)
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
		if err != nil {
			return err
		}
		if targetAcct.IsLocal() {
			return notifyFollow(ctx, tx, actor, targetAcct, out.State == model.FollowPending)
		}
		return f.publish(ctx, tx, outgoing{
			id: id, uri: uri, actor: actor, kind: "Follow", objectURI: targetAcct.URI,
			activity: ap.Follow(uri, actor.URI, targetAcct.URI), inboxes: []string{targetAcct.InboxURI},
		})
	})
	return out, err
}

// Unfollow ends a follow (or withdraws a request) and tells the other side.
// Finding target counts as one of actor's lookups.
func (f *Service) Unfollow(ctx context.Context, actor *model.Account, target string) error {
	targetAcct, err := f.ResolveActor(AskedBy(ctx, actor), target)
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
		if err := deleteFollow(ctx, tx, follow); err != nil || targetAcct.IsLocal() {
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
	follow, follower, err := f.followRequest(ctx, owner, followID)
	if err != nil {
		return err
	}
	return f.store.InTx(ctx, func(tx *store.Store) error {
		return f.acceptFollow(ctx, tx, owner, follower, follow)
	})
}

// RejectFollower refuses a pending request to follow owner and, for a
// remote follower, tells its server with a Reject of the Follow.
func (f *Service) RejectFollower(ctx context.Context, owner *model.Account, followID string) error {
	follow, follower, err := f.followRequest(ctx, owner, followID)
	if err != nil {
		return err
	}
	return f.store.InTx(ctx, func(tx *store.Store) error {
		if err := deleteFollow(ctx, tx, follow); err != nil || follower.IsLocal() {
			return err
		}
		id, uri := f.newActivity()
		return f.publish(ctx, tx, outgoing{
			id: id, uri: uri, actor: owner, kind: "Reject", objectURI: follow.URI,
			activity: ap.Reject(uri, owner.URI, ap.Follow(follow.URI, follower.URI, owner.URI)),
			inboxes:  []string{follower.InboxURI},
		})
	})
}

// followRequest finds a request to follow owner that waits for an answer,
// and who sent it.
func (f *Service) followRequest(ctx context.Context, owner *model.Account, followID string) (*model.Follow, *model.Account, error) {
	follow, err := f.store.FollowRequest(ctx, followID, owner.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, apperr.NotFound("no such follow request: it may have been answered or withdrawn already")
	}
	if err != nil {
		return nil, nil, err
	}
	follower, err := f.store.AccountByID(ctx, follow.AccountID)
	if err != nil {
		return nil, nil, err
	}
	return follow, follower, nil
}

// AcceptPendingFollowers accepts every follow request still waiting on
// owner, in tx: the one that stops owner approving followers
// (accounts.Profiles.AcceptPending).
func (f *Service) AcceptPendingFollowers(ctx context.Context, tx *store.Store, owner *model.Account) error {
	pending, err := tx.PendingFollowers(ctx, owner.ID)
	if err != nil {
		return err
	}
	for _, follow := range pending {
		follower, err := tx.AccountByID(ctx, follow.AccountID)
		if err != nil {
			return err
		}
		if err := f.acceptFollow(ctx, tx, owner, follower, follow); err != nil {
			return err
		}
	}
	return nil
}

// acceptFollow marks a follow of owner accepted and, for a remote follower,
// sends the Accept.
func (f *Service) acceptFollow(ctx context.Context, tx *store.Store, owner, follower *model.Account, follow *model.Follow) error {
	if err := tx.SetFollowState(ctx, follow.ID, model.FollowAccepted); err != nil {
		return err
	}
	// A request that waited (approved, or accepted when owner stopped
	// approving followers) is answered: its notification reads as a follow.
	if err := tx.SettleFollowRequestNotification(ctx, follower.ID, owner.ID); err != nil {
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
		created, err := addReaction(ctx, tx, actor, v, &model.Reaction{
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
		if err := deleteReaction(ctx, tx, r); err != nil {
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
	text = strings.TrimSpace(text) // blank space alone would be an empty Note
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
		if _, err := addComment(ctx, tx, actor, v, c); err != nil {
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

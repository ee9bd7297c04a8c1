package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// process applies one received activity (an `inbox` job). Each branch is
// idempotent: a retried job changes nothing twice.
func (f *Service) process(ctx context.Context, job *model.Job) error {
	item, err := f.store.InboxItemByID(ctx, job.Ref)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("inbox item %s: %w", job.Ref, err))
	}
	act, err := ap.ParseActivity([]byte(item.Body))
	if err != nil {
		return jobs.Permanent(err)
	}
	actor, err := f.store.AccountByURI(ctx, act.Actor)
	if err != nil {
		if actor, err = f.FetchActor(ctx, act.Actor, false); err != nil {
			return err
		}
	}
	switch act.Type {
	case "Follow":
		return f.onFollow(ctx, act, actor)
	case "Accept", "Reject":
		return f.onFollowAnswer(ctx, act, actor)
	case "Undo":
		return f.onUndo(ctx, act, actor)
	case "Create":
		return f.onCreate(ctx, act, actor)
	case "Update":
		return f.onUpdate(ctx, act, actor)
	case "Delete":
		return f.onDelete(ctx, act, actor)
	case "Like":
		return f.onReaction(ctx, act, actor, model.ReactionLike)
	case "Announce":
		return f.onReaction(ctx, act, actor, model.ReactionBoost)
	case "Flag":
		return f.onFlag(ctx, act, actor)
	}
	return nil
}

func (f *Service) onFollow(ctx context.Context, act *ap.Activity, follower *model.Account) error {
	target, err := f.store.AccountByURI(ctx, act.ObjectIRI)
	if err != nil || !target.IsLocal() || target.Username == InstanceActorName {
		return jobs.Permanent(fmt.Errorf("follow of unknown local account %s", act.ObjectIRI))
	}
	now := time.Now().UTC()
	return f.store.InTx(ctx, func(tx *store.Store) error {
		follow, err := tx.UpsertFollow(ctx, &model.Follow{
			ID: model.NewID(), AccountID: follower.ID, TargetAccountID: target.ID, URI: act.ID,
			State: model.FollowPending, CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return err
		}
		pending := target.ManuallyApprovesFollowers && follow.State == model.FollowPending
		if err := notifyFollow(ctx, tx, follower, target, pending); err != nil || pending {
			return err // a request waits for the owner's approval
		}
		return f.acceptFollow(ctx, tx, target, follower, follow)
	})
}

// onFollowAnswer handles Accept and Reject of a Follow we sent.
func (f *Service) onFollowAnswer(ctx context.Context, act *ap.Activity, actor *model.Account) error {
	follow, err := f.followFor(ctx, act, actor)
	if err != nil {
		return nil // not an answer to a follow of ours (e.g. an Accept of a Like): nothing to do
	}
	if act.Type == "Reject" {
		return f.store.DeleteFollow(ctx, follow.ID)
	}
	return f.store.SetFollowState(ctx, follow.ID, model.FollowAccepted)
}

// followFor finds our follow of actor that an Accept, Reject or Undo refers
// to: by the Follow's id, or by its embedded actor and object.
func (f *Service) followFor(ctx context.Context, act *ap.Activity, actor *model.Account) (*model.Follow, error) {
	var followURI, followerURI, targetURI string
	if act.Inner != nil {
		followURI, followerURI, targetURI = act.Inner.ID, act.Inner.Actor, act.Inner.ObjectIRI
	} else {
		followURI = act.ObjectIRI
	}
	if followURI != "" {
		if fl, err := f.store.FollowByURI(ctx, followURI); err == nil {
			if fl.TargetAccountID == actor.ID || fl.AccountID == actor.ID {
				return fl, nil
			}
		}
	}
	if followerURI == "" || targetURI == "" {
		return nil, store.ErrNotFound
	}
	follower, err := f.store.AccountByURI(ctx, followerURI)
	if err != nil {
		return nil, err
	}
	target, err := f.store.AccountByURI(ctx, targetURI)
	if err != nil {
		return nil, err
	}
	if follower.ID != actor.ID && target.ID != actor.ID {
		return nil, store.ErrNotFound
	}
	return f.store.FollowBetween(ctx, follower.ID, target.ID)
}

func (f *Service) onUndo(ctx context.Context, act *ap.Activity, actor *model.Account) error {
	innerType := ""
	if act.Inner != nil {
		innerType = act.Inner.Type
	}
	switch innerType {
	case "Follow", "":
		if fl, err := f.followFor(ctx, act, actor); err == nil && fl.AccountID == actor.ID {
			return deleteFollow(ctx, f.store, fl)
		}
		if innerType == "Follow" {
			return nil
		}
		fallthrough
	case "Like", "Announce":
		uri := act.ObjectIRI
		if act.Inner != nil && act.Inner.ID != "" {
			uri = act.Inner.ID
		}
		r, err := f.store.ReactionByURI(ctx, uri)
		if err != nil || r.AccountID != actor.ID {
			return nil
		}
		return deleteReaction(ctx, f.store, r)
	}
	return nil
}

func (f *Service) onCreate(ctx context.Context, act *ap.Activity, author *model.Account) error {
	obj := act.Object
	if obj == nil {
		return nil // a Create by reference: nothing we can trust without fetching
	}
	if obj.InReplyTo != "" {
		if v, err := f.store.VideoByURI(ctx, obj.InReplyTo); err == nil {
			return f.storeComment(ctx, obj, author, v)
		}
	}
	if !isVideoPost(obj) {
		return nil
	}
	followed, err := f.hasLocalFollowers(ctx, author)
	if err != nil || !followed {
		return err // nobody here asked for it
	}
	_, err = f.storeRemoteVideo(ctx, obj, author)
	return err
}

func (f *Service) onUpdate(ctx context.Context, act *ap.Activity, actor *model.Account) error {
	if act.ObjectActor != nil {
		_, err := f.storeActor(ctx, act.Actor, act.ObjectActor)
		return err
	}
	obj := act.Object
	if obj == nil {
		return nil
	}
	if v, err := f.store.VideoByURI(ctx, obj.ID); err == nil {
		if v.AccountID != actor.ID {
			return jobs.Permanent(errors.New("an Update from someone other than the video's author"))
		}
		updated := f.videoFromObject(obj, actor)
		if drop, err := f.dropSynthetic(ctx, updated); err != nil {
			return err
		} else if drop {
			return f.store.DeleteVideo(ctx, v.ID) // it is synthetic now: keep nothing of it
		}
		updated.ID, updated.CreatedAt, updated.LikesCount, updated.BoostsCount, updated.CommentsCount =
			v.ID, v.CreatedAt, v.LikesCount, v.BoostsCount, v.CommentsCount
		return f.store.UpdateVideo(ctx, updated)
	}
	if c, err := f.store.CommentByURI(ctx, obj.ID); err == nil && c.AccountID == actor.ID {
		c.Content, c.UpdatedAt = obj.Content, time.Now().UTC()
		return f.store.UpdateCommentContent(ctx, c)
	}
	return nil
}

func (f *Service) onDelete(ctx context.Context, act *ap.Activity, actor *model.Account) error {
	if act.ObjectIRI == actor.URI {
		return f.store.DeleteRemoteAccount(ctx, actor.ID)
	}
	if v, err := f.store.VideoByURI(ctx, act.ObjectIRI); err == nil {
		if v.AccountID != actor.ID {
			return nil
		}
		return f.store.DeleteVideo(ctx, v.ID)
	}
	if c, err := f.store.CommentByURI(ctx, act.ObjectIRI); err == nil && c.AccountID == actor.ID {
		return f.store.DeleteComment(ctx, c)
	}
	return nil
}

func (f *Service) onReaction(ctx context.Context, act *ap.Activity, actor *model.Account, kind string) error {
	v, err := f.store.VideoByURI(ctx, act.ObjectIRI)
	if errors.Is(err, store.ErrNotFound) && kind == model.ReactionBoost && !f.isLocal(act.ObjectIRI) {
		v, err = f.fetchRemoteVideo(ctx, act.ObjectIRI)
		if v == nil && err == nil {
			return nil // the boosted thing is not a video
		}
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	}
	uri := act.ID
	if uri == "" {
		uri = actor.URI + "#" + kind + "-" + v.ID
	}
	_, err = addReaction(ctx, f.store, actor, v, &model.Reaction{
		ID: model.NewID(), Kind: kind, AccountID: actor.ID, VideoID: v.ID, URI: uri, CreatedAt: time.Now().UTC(),
	})
	return err
}

func (f *Service) onFlag(ctx context.Context, act *ap.Activity, reporter *model.Account) error {
	var target *model.Account
	var objects []string
	for _, iri := range act.ObjectIRIs {
		if a, err := f.store.AccountByURI(ctx, iri); err == nil && a.IsLocal() && target == nil {
			target = a
			continue
		}
		objects = append(objects, iri)
	}
	if target == nil {
		for _, iri := range objects {
			if v, err := f.store.VideoByURI(ctx, iri); err == nil && v.Local {
				target = v.Account
				break
			}
		}
	}
	if target == nil {
		return nil // nothing of ours is reported
	}
	objs, _ := json.Marshal(objects)
	err := f.store.InsertReport(ctx, &model.Report{
		ID: model.NewID(), URI: act.ID, AccountID: reporter.ID, TargetAccountID: target.ID,
		ObjectURIs: string(objs), Content: act.Content, CreatedAt: time.Now().UTC(),
	})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}

func (f *Service) hasLocalFollowers(ctx context.Context, a *model.Account) (bool, error) {
	n, err := f.store.DB().NewSelect().Model((*model.Follow)(nil)).
		Join("JOIN accounts AS f ON f.id = ?TableAlias.account_id").
		Where("?TableAlias.target_account_id = ? AND ?TableAlias.state = ? AND f.domain = ''", a.ID, model.FollowAccepted).
		Limit(1).Count(ctx)
	return n > 0, err
}

// isVideoPost reports whether a remote object is something Assay shows: a
// Video, or any post with a playable video attached.
func isVideoPost(obj *ap.Object) bool {
	if len(obj.Media) == 0 {
		return false
	}
	return obj.Type == "Video" || strings.HasPrefix(obj.Media[0].MediaType, "video/")
}

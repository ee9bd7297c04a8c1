package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// collectionPageSize is how many items one collection page holds.
const collectionPageSize = 40

// localAccount finds a local user's account by name, or 404.
func (f *Service) localAccount(ctx context.Context, username string) (*model.Account, error) {
	acct, err := f.store.AccountByName(ctx, strings.ToLower(username), "")
	if errors.Is(err, store.ErrNotFound) || (err == nil && acct.Username == InstanceActorName) {
		return nil, apperr.NotFound("no such user")
	}
	return acct, err
}

// ActorDocument is the Person of a local user.
func (f *Service) ActorDocument(ctx context.Context, username string) ([]byte, error) {
	acct, err := f.localAccount(ctx, username)
	if err != nil {
		return nil, err
	}
	return ap.PersonJSON(f.paths, acct)
}

// InstanceActorDocument is the Application that signs our fetches.
func (f *Service) InstanceActorDocument(ctx context.Context) ([]byte, error) {
	acct, _, err := f.InstanceActor(ctx)
	if err != nil {
		return nil, err
	}
	return ap.InstanceActorJSON(f.paths, acct)
}

// VideoDocument is the Video object of a local, public, ready video.
func (f *Service) VideoDocument(ctx context.Context, id string) ([]byte, error) {
	v, err := f.store.VideoByID(ctx, id)
	if err != nil || !v.Local || !v.Public || v.State != model.VideoReady {
		return nil, apperr.NotFound("no such video")
	}
	if v.Synthetic {
		if free, err := f.aiFree(ctx); err != nil || free {
			return nil, apperr.NotFound("no such video")
		}
	}
	obj, err := ap.VideoObject(f.paths, v, v.Account, v.Generator)
	if err != nil {
		return nil, err
	}
	return ap.Serialize(obj)
}

// CommentDocument is the Note of a local comment.
func (f *Service) CommentDocument(ctx context.Context, id string) ([]byte, error) {
	c, err := f.store.CommentByID(ctx, id)
	if err != nil || !c.Account.IsLocal() {
		return nil, apperr.NotFound("no such comment")
	}
	v, err := f.store.VideoByID(ctx, c.VideoID)
	if err != nil {
		return nil, apperr.NotFound("no such comment")
	}
	note, err := ap.CommentObject(f.paths, c, c.Account, v.URI, []string{ap.Public}, []string{c.Account.FollowersURI, v.Account.URI})
	if err != nil {
		return nil, err
	}
	return ap.Serialize(note)
}

// ActivityDocument is a public activity we published.
func (f *Service) ActivityDocument(ctx context.Context, id string) ([]byte, error) {
	a, err := f.store.OutboxActivityByID(ctx, id)
	if err != nil || !a.Public {
		return nil, apperr.NotFound("no such activity")
	}
	return []byte(a.Body), nil
}

// Collection kinds a local actor has.
const (
	CollectionOutbox    = "outbox"
	CollectionFollowers = "followers"
	CollectionFollowing = "following"
)

// CollectionDocument is an actor's outbox, followers or following: the
// OrderedCollection itself for page 0, else page N (from 1).
func (f *Service) CollectionDocument(ctx context.Context, username, kind string, page int) ([]byte, error) {
	acct, err := f.localAccount(ctx, username)
	if err != nil {
		return nil, err
	}
	id := acct.URI + "/" + kind
	offset := (page - 1) * collectionPageSize
	if page < 1 {
		offset = 0
	}
	var items []any
	var total int
	switch kind {
	case CollectionOutbox:
		acts, n, err := f.store.OutboxPage(ctx, acct.ID, offset, collectionPageSize)
		if err != nil {
			return nil, err
		}
		total = n
		for _, a := range acts {
			items = append(items, a.URI)
		}
	case CollectionFollowers, CollectionFollowing:
		accts, n, err := f.store.FollowAccounts(ctx, acct.ID, kind == CollectionFollowing, offset, collectionPageSize)
		if err != nil {
			return nil, err
		}
		total = n
		for _, a := range accts {
			items = append(items, a.URI)
		}
	default:
		return nil, apperr.NotFound("no such collection")
	}
	if page < 1 {
		return ap.Serialize(ap.OrderedCollection(id, total, id+"?page=1"))
	}
	next, prev := "", ""
	if offset+len(items) < total {
		next = fmt.Sprintf("%s?page=%d", id, page+1)
	}
	if page > 1 {
		prev = fmt.Sprintf("%s?page=%d", id, page-1)
	}
	return ap.Serialize(ap.OrderedCollectionPage(fmt.Sprintf("%s?page=%d", id, page), id, next, prev, items))
}

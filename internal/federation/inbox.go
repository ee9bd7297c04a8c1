package federation

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/signing"
)

// MaxActivityBytes bounds an inbox body.
const MaxActivityBytes = 1 << 20

// ErrIgnored means the activity was understood and deliberately not acted on
// (an unknown type, a repeat): the inbox answers 202 all the same.
var ErrIgnored = errors.New("activity ignored")

// Receive checks a POST to an inbox — signature, Digest, Date, that the
// signer is the actor, the activity's shape and policy — then stores it and
// queues its processing in one transaction. Nothing is stored when a check
// fails. A repeat of an activity id is accepted and has no second effect.
func (f *Service) Receive(ctx context.Context, r *http.Request, body []byte) error {
	keyID, err := signing.KeyID(r)
	if err != nil {
		return f.refuse("unsigned", apperr.Wrap(http.StatusUnauthorized, "the request must carry an HTTP signature", err))
	}
	if err := f.checkNotSuspended(ctx, keyID); err != nil {
		return f.refuse("suspended", err)
	}
	key, err := f.verify(ctx, r, body, keyID)
	if err != nil {
		return f.refuse("signature", err)
	}

	act, err := ap.ParseEnvelope(body)
	if errors.Is(err, ap.ErrUnsupportedType) {
		return ErrIgnored
	}
	if err != nil {
		return f.refuse("malformed", err)
	}
	if act.Actor != key.ownerURI {
		return f.refuse("signer", apperr.Unauthorized("the request is signed by "+key.ownerURI+", not by the activity's actor "+act.Actor))
	}
	if act.ID != "" && hostOf(act.ID) != hostOf(act.Actor) {
		return f.refuse("origin", apperr.BadRequest("the activity id "+act.ID+" is not on its actor's host"))
	}
	if err := f.checkObjectOrigin(act); err != nil {
		return f.refuse("origin", err)
	}
	if err := f.checkNotSuspended(ctx, act.Actor); err != nil {
		return f.refuse("suspended", err)
	}
	if err := f.checkAIFree(ctx, act); err != nil {
		return f.refuse("ai-free", err)
	}

	uri := act.ID
	if uri == "" { // a few servers omit ids on transient activities; dedupe on the body instead
		uri = act.Actor + "#" + model.NewID()
	}
	item := &model.InboxItem{
		ID: model.NewID(), URI: uri, ActorURI: act.Actor, Type: act.Type, Body: string(body), ReceivedAt: time.Now().UTC(),
	}
	if err := f.inbox.store(item); err != nil {
		return err // ErrIgnored for a replay
	}
	f.received.WithLabelValues(act.Type).Inc()
	return nil
}

// verify checks the signature, refetching the signer's key once when it
// fails (the actor may have rotated it).
func (f *Service) verify(ctx context.Context, r *http.Request, body []byte, keyID string) (cachedKey, error) {
	key, err := f.publicKey(ctx, keyID, false)
	if err != nil {
		return cachedKey{}, signerUnavailable(err)
	}
	verr := signing.Verify(r, body, key.key, time.Now())
	if verr == nil {
		return key, nil
	}
	if !errors.Is(verr, signing.ErrSignatureMismatch) {
		return cachedKey{}, verr // a stale Date, a Digest or header problem: a new key would not help
	}
	if fresh, err := f.publicKey(ctx, keyID, true); err == nil {
		if err := signing.Verify(r, body, fresh.key, time.Now()); err == nil {
			return fresh, nil
		}
	}
	return cachedKey{}, verr
}

// signerUnavailable keeps a failed key fetch an authentication failure for
// the sender, whatever went wrong fetching it.
func signerUnavailable(err error) error {
	status, public := apperr.From(err)
	if status == http.StatusForbidden {
		return err
	}
	if status >= 500 {
		public = "the signer's key could not be fetched"
	}
	return apperr.Wrap(http.StatusUnauthorized, "cannot verify the signature: "+public, err)
}

// checkObjectOrigin refuses objects created or changed by an actor on
// another host: a server may only speak for its own objects, and an actor
// may only update itself.
func (f *Service) checkObjectOrigin(act *ap.Envelope) error {
	switch act.Type {
	case "Create", "Update", "Delete":
		if act.ObjectID != "" && hostOf(act.ObjectID) != hostOf(act.Actor) {
			return apperr.BadRequest("the object " + act.ObjectID + " is not on its actor's host")
		}
	}
	if act.Type == "Update" && actorObjectTypes[act.ObjectType] && act.ObjectID != act.Actor {
		return apperr.BadRequest("an actor may only update itself")
	}
	return nil
}

var actorObjectTypes = map[string]bool{"Person": true, "Service": true, "Application": true, "Group": true, "Organization": true}

// errAIFree is DESIGN.md §6's answer to labelled synthetic media.
var errAIFree = apperr.Forbidden("this instance is AI-free and does not accept labelled synthetic media")

// checkAIFree refuses a Create, Update or Announce of synthetic media when
// this instance is AI-free and the label is visible in the request: on the
// embedded object, or on a boosted video we already hold. What only shows
// later (a boosted object once fetched) is dropped when processed.
func (f *Service) checkAIFree(ctx context.Context, e *ap.Envelope) error {
	if e.Type != "Create" && e.Type != "Update" && e.Type != "Announce" {
		return nil
	}
	if free, err := f.aiFree(ctx); err != nil || !free {
		return err
	}
	if _, synthetic := labelOf(e.SourceTypes, e.Tags); synthetic {
		return errAIFree
	}
	if e.Type == "Announce" && !e.Embedded {
		if v, err := f.store.VideoByURI(ctx, e.ObjectID); err == nil && v.Synthetic {
			return errAIFree
		}
	}
	return nil
}

// aiFree reports whether this instance refuses synthetic media now.
func (f *Service) aiFree(ctx context.Context) (bool, error) {
	inst, err := f.store.Instance(ctx)
	if err != nil {
		return false, err
	}
	return inst.AIFree, nil
}

func (f *Service) refuse(reason string, err error) error {
	f.refused.WithLabelValues(reason).Inc()
	return err
}

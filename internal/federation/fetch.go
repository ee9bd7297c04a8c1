package federation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/netguard"
	"github.com/assay-social/assay/internal/signing"
	"github.com/assay-social/assay/internal/store"
)

// acceptActivityJSON is what we ask other servers for.
const acceptActivityJSON = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// errGone is a 410 from the origin: the thing was deleted.
var errGone = errors.New("gone")

// actorRefresh is how long a cached remote actor is trusted without a refetch.
const actorRefresh = 24 * time.Hour

// fetchJSON GETs an ActivityPub document, signed by the instance actor (some
// servers refuse unsigned fetches), through the guarded client.
func (f *Service) fetchJSON(ctx context.Context, target string) ([]byte, error) {
	if err := f.checkNotSuspended(ctx, target); err != nil {
		return nil, err
	}
	if err := f.mayFetch(ctx); err != nil {
		return nil, err
	}
	actor, key, err := f.InstanceActor(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(netguard.WithSigner(ctx, func(r *http.Request) error {
		return signing.SignGET(r, actor.PublicKeyURI, key)
	}), http.MethodGet, target, nil)
	if err != nil {
		return nil, apperr.BadRequest("not a URL: " + target)
	}
	req.Header.Set("Accept", acceptActivityJSON)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fetchFailed(target, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("%s: %w", target, errGone)
	case resp.StatusCode == http.StatusNotFound:
		return nil, apperr.NotFound(target + " does not exist")
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, apperr.New(http.StatusBadGateway, fmt.Sprintf("%s answered %d", target, resp.StatusCode))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "json") {
		return nil, apperr.New(http.StatusBadGateway, fmt.Sprintf("%s is not ActivityPub JSON (%s)", target, ct))
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, apperr.Wrap(http.StatusBadGateway, "could not read "+target, err)
	}
	return body, nil
}

// fetchFailed explains a failed fetch. A target the SSRF guard refused
// (loopback, private, link-local…, directly or after a redirect) is the
// requester's mistake, not an upstream failure: a 400 that says so, rather
// than a 502 that hides it.
func fetchFailed(target string, err error) error {
	var refused *netguard.AddressError
	if !errors.As(err, &refused) {
		return apperr.Wrap(http.StatusBadGateway, "could not fetch "+target, err)
	}
	where := "it is on a " + refused.Reason
	var hop *url.Error
	if errors.As(err, &hop) && hop.URL != target {
		where = "it redirects to " + hop.URL + ", which is on a " + refused.Reason
	}
	return apperr.Wrap(http.StatusBadRequest,
		"refused to fetch "+target+": "+where+", and this server does not connect to private or internal networks", err)
}

// FetchActor returns a remote actor, from the cache when it is fresh.
func (f *Service) FetchActor(ctx context.Context, uri string, refresh bool) (*model.Account, error) {
	cached, err := f.store.AccountByURI(ctx, uri)
	if err == nil && (cached.IsLocal() || (!refresh && time.Since(cached.FetchedAt) < actorRefresh)) {
		return cached, nil
	}
	body, err := f.fetchJSON(ctx, uri)
	if errors.Is(err, errLookupRefused) && cached != nil && !refresh {
		return cached, nil // known here: shown as last fetched
	}
	if err != nil {
		return nil, err
	}
	parsed, err := ap.ParseActor(body)
	if err != nil {
		return nil, err
	}
	return f.storeActor(ctx, uri, parsed)
}

// storeActor saves a parsed actor after checking it is who the URL says.
func (f *Service) storeActor(ctx context.Context, fetchedFrom string, a *ap.Actor) (*model.Account, error) {
	if hostOf(a.ID) != hostOf(fetchedFrom) {
		return nil, apperr.BadRequest(fmt.Sprintf("the actor at %s claims the id %s on another host", fetchedFrom, a.ID))
	}
	if f.isLocal(a.ID) {
		return f.store.AccountByURI(ctx, a.ID)
	}
	if a.PublicKeyOwner != "" && a.PublicKeyOwner != a.ID {
		return nil, apperr.BadRequest("the actor's key belongs to " + a.PublicKeyOwner)
	}
	now := time.Now().UTC()
	username := a.PreferredUsername
	if username == "" {
		username = a.ID
	}
	acct := &model.Account{
		ID: model.NewID(), Username: username, Domain: hostOf(a.ID), DisplayName: a.Name, Summary: a.Summary,
		URI: a.ID, URL: a.URL, InboxURI: a.Inbox, SharedInboxURI: a.SharedInbox, OutboxURI: a.Outbox,
		FollowersURI: a.Followers, FollowingURI: a.Following, PublicKeyURI: a.PublicKeyID, PublicKeyPEM: a.PublicKeyPEM,
		ManuallyApprovesFollowers: a.ManuallyApprovesFollowers, ActorType: a.Type, IconURL: a.IconURL,
		CreatedAt: now, UpdatedAt: now, FetchedAt: now,
	}
	stored, err := f.store.UpsertRemoteAccount(ctx, acct)
	if err != nil {
		return nil, err
	}
	f.keys.forget(stored.PublicKeyURI)
	return stored, nil
}

// ResolveActor turns "name@domain", "@name@domain" or an actor URL into an account.
func (f *Service) ResolveActor(ctx context.Context, target string) (*model.Account, error) {
	target = strings.TrimSpace(target)
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		if f.isLocal(target) {
			return f.localActorByURL(ctx, target)
		}
		return f.FetchActor(ctx, target, false)
	}
	name, domain, ok := splitHandle(target)
	if !ok {
		return nil, apperr.BadRequest("want NAME@DOMAIN or an actor URL, got " + target)
	}
	if domain == "" {
		domain = f.Domain() // a bare name is someone here
	}
	if domain == f.Domain() {
		acct, err := f.store.AccountByName(ctx, strings.ToLower(name), "")
		if errors.Is(err, store.ErrNotFound) {
			return nil, apperr.NotFound("no user named " + name + " here")
		}
		return acct, err
	}
	known, err := f.store.AccountByName(ctx, name, domain)
	if err == nil && time.Since(known.FetchedAt) < actorRefresh {
		return known, nil
	}
	uri, err := f.webfingerLookup(ctx, name, domain)
	if errors.Is(err, errLookupRefused) && known != nil {
		return known, nil // known here: shown as last fetched
	}
	if err != nil {
		return nil, err
	}
	return f.FetchActor(ctx, uri, true)
}

func (f *Service) localActorByURL(ctx context.Context, target string) (*model.Account, error) {
	acct, err := f.store.AccountByURI(ctx, target)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("no such user here: " + target)
	}
	return acct, err
}

// publicKey returns the key for a key id and the URI of the actor that owns
// it, fetching the actor when it is unknown or when refresh asks for it.
func (f *Service) publicKey(ctx context.Context, keyID string, refresh bool) (cachedKey, error) {
	if !refresh {
		if k, ok := f.keys.get(keyID); ok {
			return k, nil
		}
	}
	acct, err := f.store.AccountByKeyURI(ctx, keyID)
	if err != nil || refresh {
		// Mastodon's key ids are ACTOR#main-key; GoToSocial's are a URL of
		// their own (ACTOR/main-key) whose document names the owner.
		actorURI, _, _ := strings.Cut(keyID, "#")
		if acct, err = f.FetchActor(ctx, actorURI, true); err != nil {
			return cachedKey{}, err
		}
		if acct.PublicKeyURI != keyID {
			return cachedKey{}, apperr.Unauthorized("the key " + keyID + " is not the key of " + acct.URI)
		}
	}
	pub, err := signing.ParsePublicKeyPEM(acct.PublicKeyPEM)
	if err != nil {
		return cachedKey{}, apperr.Wrap(http.StatusUnauthorized, "the signer's public key cannot be read", err)
	}
	f.keys.put(keyID, pub, acct.URI)
	return cachedKey{key: pub, ownerURI: acct.URI}, nil
}

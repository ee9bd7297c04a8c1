package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// JRD is a WebFinger document (RFC 7033).
type JRD struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []JRDLink `json:"links"`
}

// JRDLink is one link of a JRD.
type JRDLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// WebFinger answers a lookup of acct:NAME@DOMAIN or of an actor or profile URL.
func (f *Service) WebFinger(ctx context.Context, resource string) (*JRD, error) {
	if resource == "" || len(resource) > 512 {
		return nil, apperr.BadRequest("the resource parameter is required, e.g. acct:alice@" + f.Domain())
	}
	acct, err := f.webfingerAccount(ctx, resource)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("no such account here: " + resource)
	}
	if err != nil {
		return nil, err
	}
	jrd := &JRD{
		Subject: "acct:" + acct.Username + "@" + f.Domain(),
		Aliases: []string{acct.URI},
		Links: []JRDLink{
			{Rel: "self", Type: "application/activity+json", Href: acct.URI},
		},
	}
	if acct.Username != InstanceActorName {
		profile := f.paths.ProfileURL(acct.Username)
		jrd.Aliases = append(jrd.Aliases, profile)
		jrd.Links = append(jrd.Links,
			JRDLink{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: profile},
			JRDLink{Rel: "http://ostatus.org/schema/1.0/subscribe", Template: f.opts.PublicURL.String() + "/authorize_interaction?uri={uri}"})
	}
	return jrd, nil
}

func (f *Service) webfingerAccount(ctx context.Context, resource string) (*model.Account, error) {
	if strings.HasPrefix(resource, "http://") || strings.HasPrefix(resource, "https://") {
		if !f.isLocal(resource) {
			return nil, apperr.NotFound("that resource is not on this server")
		}
		u, _ := url.Parse(resource)
		path := strings.TrimSuffix(u.Path, "/")
		switch {
		case path == "/actor" || path == "":
			return f.store.AccountByName(ctx, InstanceActorName, "")
		case strings.HasPrefix(path, "/users/"):
			return f.store.AccountByName(ctx, strings.ToLower(strings.TrimPrefix(path, "/users/")), "")
		case strings.HasPrefix(path, "/@"):
			return f.store.AccountByName(ctx, strings.ToLower(strings.TrimPrefix(path, "/@")), "")
		}
		return nil, store.ErrNotFound
	}
	name, domain, ok := strings.Cut(strings.TrimPrefix(resource, "acct:"), "@")
	if !strings.HasPrefix(resource, "acct:") || !ok || name == "" {
		return nil, apperr.BadRequest("want acct:NAME@DOMAIN or an actor URL, got " + resource)
	}
	if !strings.EqualFold(domain, f.Domain()) && !strings.EqualFold(domain, f.opts.PublicURL.Hostname()) {
		return nil, apperr.NotFound("that account is not on this server")
	}
	return f.store.AccountByName(ctx, strings.ToLower(name), "")
}

// webfingerLookup asks a remote server for the actor URI of name@domain.
func (f *Service) webfingerLookup(ctx context.Context, name, domain string) (string, error) {
	jrd, err := f.remoteJRD(ctx, name, domain)
	if err != nil {
		return "", err
	}
	for _, l := range jrd.Links {
		if l.Rel == "self" && (strings.HasPrefix(l.Type, "application/activity+json") ||
			strings.HasPrefix(l.Type, "application/ld+json")) && l.Href != "" {
			return l.Href, nil
		}
	}
	return "", apperr.New(http.StatusBadGateway, domain+" has no ActivityPub actor for "+name)
}

// remoteJRD fetches the WebFinger document of name@domain from its server.
func (f *Service) remoteJRD(ctx context.Context, name, domain string) (*JRD, error) {
	query := "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+name+"@"+domain)
	var lastErr error
	for _, scheme := range f.schemes() {
		body, err := f.getPlain(ctx, scheme+"://"+domain+query, "application/jrd+json, application/json")
		if err != nil {
			lastErr = err
			continue
		}
		var jrd JRD
		if err := json.Unmarshal(body, &jrd); err != nil {
			return nil, apperr.New(http.StatusBadGateway, "the WebFinger answer of "+domain+" is not JSON")
		}
		return &jrd, nil
	}
	return nil, lastErr
}

// subscribeRel names the WebFinger link whose template lets a person follow
// an account of another server from their own (OStatus remote follow, which
// Mastodon, GoToSocial and Assay all advertise).
const subscribeRel = "http://ostatus.org/schema/1.0/subscribe"

// RemoteFollowURL asks the server of handle (someone's "name@domain",
// elsewhere) where its users go to follow an account of another server,
// and returns that address for target (an acct or URL of ours, put in the
// template's {uri}). It is an error when the server cannot be reached or
// offers no such template.
func (f *Service) RemoteFollowURL(ctx context.Context, handle, target string) (string, error) {
	name, domain, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(handle), "acct:"), "@"), "@")
	if !ok || name == "" || domain == "" || strings.ContainsAny(domain, "/?#@ ") {
		return "", apperr.BadRequest("Enter your full address, like name@your.server — not just your name.")
	}
	jrd, err := f.remoteJRD(ctx, name, strings.ToLower(domain))
	if err != nil {
		return "", err
	}
	for _, l := range jrd.Links {
		if l.Rel != subscribeRel || !strings.Contains(l.Template, "{uri}") {
			continue
		}
		to := strings.ReplaceAll(l.Template, "{uri}", url.QueryEscape(target))
		if u, err := url.Parse(to); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return to, nil
		}
	}
	return "", apperr.Unprocessable(domain + " does not say how to follow someone from there (its WebFinger answer has no subscribe template). Search for " + target + " on your server instead.")
}

// schemes lists the schemes to try on a bare domain: https, and plain http
// too when private networks are allowed (local test federations).
func (f *Service) schemes() []string {
	if f.opts.AllowPrivate {
		return []string{"https", "http"}
	}
	return []string{"https"}
}

// getPlain fetches a small unsigned JSON document (WebFinger, NodeInfo).
func (f *Service) getPlain(ctx context.Context, target, accept string) ([]byte, error) {
	if err := f.checkNotSuspended(ctx, target); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, apperr.BadRequest("not a URL: " + target)
	}
	req.Header.Set("Accept", accept)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fetchFailed(target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, apperr.NotFound(fmt.Sprintf("%s does not know that account", hostOf(target)))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, apperr.New(http.StatusBadGateway, fmt.Sprintf("%s answered %d", target, resp.StatusCode))
	}
	return io.ReadAll(resp.Body)
}

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
	name, err := parseWebFingerResource(resource, f.Domain(), f.opts.PublicURL.Hostname())
	if err != nil {
		return nil, err
	}
	return f.store.AccountByName(ctx, name, "")
}

// parseWebFingerResource reads the resource parameter of a WebFinger query
// to this server — acct:NAME@DOMAIN, or the URL of an actor (/users/NAME,
// /actor) or profile (/@NAME) — and returns the lower-cased local user
// name it asks about: InstanceActorName for the server's own actor. domain
// is our host[:port] (lower-case) and hostname the same without the port;
// either is accepted after acct:, case-insensitively. A missing, over-long or
// malformed resource is a 400, one of another server a 404, and one of ours
// that names no possible account store.ErrNotFound.
func parseWebFingerResource(resource, domain, hostname string) (string, error) {
	if resource == "" || len(resource) > 512 {
		return "", apperr.BadRequest("the resource parameter is required, e.g. acct:alice@" + domain)
	}
	if strings.HasPrefix(resource, "http://") || strings.HasPrefix(resource, "https://") {
		if hostOf(resource) != domain {
			return "", apperr.NotFound("that resource is not on this server")
		}
		u, _ := url.Parse(resource) // it parsed in hostOf
		path := strings.TrimSuffix(u.Path, "/")
		var name string
		switch {
		case path == "/actor" || path == "":
			return InstanceActorName, nil
		case strings.HasPrefix(path, "/users/"):
			name = strings.TrimPrefix(path, "/users/")
		case strings.HasPrefix(path, "/@"):
			name = strings.TrimPrefix(path, "/@")
		}
		if name == "" {
			return "", store.ErrNotFound
		}
		return strings.ToLower(name), nil
	}
	name, host, ok := strings.Cut(strings.TrimPrefix(resource, "acct:"), "@")
	if !strings.HasPrefix(resource, "acct:") || !ok || name == "" {
		return "", apperr.BadRequest("want acct:NAME@DOMAIN or an actor URL, got " + resource)
	}
	if !strings.EqualFold(host, domain) && !strings.EqualFold(host, hostname) {
		return "", apperr.NotFound("that account is not on this server")
	}
	return strings.ToLower(name), nil
}

// webfingerLookup asks a remote server for the actor URI of name@domain.
func (f *Service) webfingerLookup(ctx context.Context, name, domain string) (string, error) {
	jrd, err := f.remoteJRD(ctx, name, domain)
	if err != nil {
		return "", err
	}
	if href := jrd.actorHref(); href != "" {
		return href, nil
	}
	return "", apperr.New(http.StatusBadGateway, domain+" has no ActivityPub actor for "+name)
}

// actorHref is the href of the document's first ActivityPub "self" link,
// or "" when it has none.
func (jrd *JRD) actorHref() string {
	for _, l := range jrd.Links {
		if l.Rel == "self" && (strings.HasPrefix(l.Type, "application/activity+json") ||
			strings.HasPrefix(l.Type, "application/ld+json")) && l.Href != "" {
			return l.Href
		}
	}
	return ""
}

// remoteJRD fetches the WebFinger document of name@domain from its server.
func (f *Service) remoteJRD(ctx context.Context, name, domain string) (*JRD, error) {
	var lastErr error
	for _, scheme := range f.schemes() {
		body, err := f.getPlain(ctx, webfingerURL(scheme, name, domain), "application/jrd+json, application/json")
		if err != nil {
			lastErr = err
			continue
		}
		return parseJRD(body, domain)
	}
	return nil, lastErr
}

// webfingerURL is the address of the WebFinger query for name@domain.
func webfingerURL(scheme, name, domain string) string {
	return scheme + "://" + domain + "/.well-known/webfinger?resource=" + url.QueryEscape("acct:"+name+"@"+domain)
}

// parseJRD decodes the WebFinger answer of domain: a 502 when it is not a
// JSON object of the JRD's shape.
func parseJRD(body []byte, domain string) (*JRD, error) {
	var jrd JRD
	if err := json.Unmarshal(body, &jrd); err != nil {
		return nil, apperr.New(http.StatusBadGateway, "the WebFinger answer of "+domain+" is not JSON")
	}
	return &jrd, nil
}

// splitHandle reads someone's address as a person types it — "name@domain",
// "@name@domain" or "acct:name@domain", with spaces around — into the name
// and the lower-cased domain. A bare name has domain "". ok is false when
// there is no name, or when the domain is not a plain host[:port] (which
// would send the WebFinger query to some other host or path).
func splitHandle(handle string) (name, domain string, ok bool) {
	name, domain, at := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(handle), "acct:"), "@"), "@")
	domain = strings.ToLower(domain)
	if name == "" || (at && !plainHost(domain)) {
		return "", "", false
	}
	return name, domain, true
}

// plainHost reports whether s is a host[:port] and nothing more: "https://"+s
// parses back to s as its host, with no user, path, query or fragment.
func plainHost(s string) bool {
	if s == "" || strings.ContainsAny(s, "/?#@\\ ") {
		return false
	}
	u, err := url.Parse("https://" + s)
	return err == nil && u.Host == s && u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == ""
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
	name, domain, ok := splitHandle(handle)
	if !ok || domain == "" {
		return "", apperr.BadRequest("Enter your full address, like name@your.server — not just your name.")
	}
	jrd, err := f.remoteJRD(ctx, name, domain)
	if err != nil {
		return "", err
	}
	if to := jrd.subscribeURL(target); to != "" {
		return to, nil
	}
	return "", apperr.Unprocessable(domain + " does not say how to follow someone from there (its WebFinger answer has no subscribe template). Search for " + target + " on your server instead.")
}

// subscribeURL fills target into the document's first subscribe template
// that makes an http(s) URL with a host, or returns "".
func (jrd *JRD) subscribeURL(target string) string {
	for _, l := range jrd.Links {
		if l.Rel != subscribeRel || !strings.Contains(l.Template, "{uri}") {
			continue
		}
		to := strings.ReplaceAll(l.Template, "{uri}", url.QueryEscape(target))
		if u, err := url.Parse(to); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			return to
		}
	}
	return ""
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
	if err := f.mayFetch(ctx); err != nil {
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

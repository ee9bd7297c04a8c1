package federation

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/store"
)

// The servers the resource fuzzer plays: one on the default port and one
// whose public address has a port (a local test federation).
var fuzzServers = []struct{ domain, hostname string }{
	{"assay.example", "assay.example"},
	{"assay.example:8443", "assay.example"},
}

// usernameLike is what a local account's name can be (accounts'
// usernamePattern) or the instance actor.
var usernameLike = regexp.MustCompile(`^(?:[a-z0-9_]{1,30}|actor)$`)

// FuzzWebFingerResource: no resource panics; every refusal is a 400 or 404
// *apperr.Error, or store.ErrNotFound; every answer is a non-empty,
// lower-case name read from a resource of this server, which acct:NAME@OURS,
// the actor URL and the profile URL all give back, and which no resource of
// another server gives.
func FuzzWebFingerResource(f *testing.F) {
	for _, s := range []string{
		"acct:alice@assay.example",
		"acct:Alice@Assay.Example",
		"acct:ALICE@ASSAY.EXAMPLE:8443",
		"acct:@alice@assay.example",
		"acct:alice@assay.example@evil.example",
		"acct:alice@evil.example",
		"acct:alice",
		"alice@assay.example",
		"@alice@assay.example",
		"acct:actor@assay.example",
		"https://assay.example/users/alice",
		"https://assay.example/users/Alice/",
		"https://ASSAY.example/@alice",
		"https://assay.example:8443/@alice",
		"http://assay.example/actor",
		"https://assay.example",
		"https://assay.example/",
		"https://assay.example/users/",
		"https://assay.example/users//",
		"https://assay.example/users/alice/outbox",
		"https://assay.example/@alice@evil.example",
		"https://assay.example/users/%41lice",
		"https://assay.example/users/al%2Fice",
		"https://evil.example@assay.example/users/alice",
		"https://assay.example@evil.example/users/alice",
		"https://evil.example/users/alice",
		"https://assay.example/videos/01HZY",
		"acct:%61lice@assay.example",
		"acct:ålice@assay.example",
		"acct:İSTANBUL@assay.example",
		"acct:ǅemal@assay.example",
		"https://assay.example/@ÅLICE",
		"acct:\xff\xfe@assay.example",
		"acct:alice@xn--bcher-kva.example",
		"",
		"acct:",
		"acct:@",
		"https://",
		"https://[::1",
		"acct:" + strings.Repeat("a", 500) + "@assay.example",
		"acct:" + strings.Repeat("a", 520) + "@assay.example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, resource string) {
		for _, srv := range fuzzServers {
			name, err := parseWebFingerResource(resource, srv.domain, srv.hostname)
			if err != nil {
				var ae *apperr.Error
				if !errors.Is(err, store.ErrNotFound) &&
					(!errors.As(err, &ae) || (ae.Status != http.StatusBadRequest && ae.Status != http.StatusNotFound)) {
					t.Fatalf("%s: refusal of %q is %v, not a 400, a 404 or store.ErrNotFound", srv.domain, resource, err)
				}
				continue
			}
			if len(resource) > 512 {
				t.Fatalf("%s: took a resource of %d bytes", srv.domain, len(resource))
			}
			if name == "" || name != strings.ToLower(name) {
				t.Fatalf("%s: %q gave the name %q", srv.domain, resource, name)
			}
			if !ours(resource, srv.domain, srv.hostname) {
				t.Fatalf("%s: %q is not ours but gave %q", srv.domain, resource, name)
			}
			checkWebFingerRoundTrip(t, srv.domain, srv.hostname, name)
		}
	})
}

// ours reports whether resource names this server: its acct: domain is ours
// (either form, any case) or its URL's host is.
func ours(resource, domain, hostname string) bool {
	if rest, ok := strings.CutPrefix(resource, "acct:"); ok {
		_, host, _ := strings.Cut(rest, "@")
		return strings.EqualFold(host, domain) || strings.EqualFold(host, hostname)
	}
	u, err := url.Parse(resource)
	return err == nil && strings.EqualFold(u.Host, domain)
}

// checkWebFingerRoundTrip: the subject we answer with, and for a name an
// account can have the actor and profile URLs we publish, read back as name;
// the same resources on another server are refused with a 404.
func checkWebFingerRoundTrip(t *testing.T, domain, hostname, name string) {
	t.Helper()
	back := func(resource string) {
		t.Helper()
		got, err := parseWebFingerResource(resource, domain, hostname)
		if err != nil || got != name {
			t.Fatalf("%s: %q read back as %q, %v; want %q", domain, resource, got, err, name)
		}
	}
	refused := func(resource string) {
		t.Helper()
		got, err := parseWebFingerResource(resource, domain, hostname)
		if status, _ := apperr.From(err); err == nil || status != http.StatusNotFound {
			t.Fatalf("%s: %q of another server gave %q, %v; want a 404", domain, resource, got, err)
		}
	}
	if len(name) > 400 || strings.Contains(name, "@") {
		return // a URL's path may hold what an acct: cannot
	}
	back("acct:" + name + "@" + domain)
	back("acct:" + name + "@" + strings.ToUpper(hostname))
	refused("acct:" + name + "@other.example")
	refused("https://other.example/users/" + url.PathEscape(name))
	if !usernameLike.MatchString(name) {
		return
	}
	paths := ap.Paths{Base: &url.URL{Scheme: "https", Host: domain}}
	back(paths.ActorURI(name))
	back(paths.ProfileURL(name))
	back("https://" + strings.ToUpper(domain) + "/users/" + strings.ToUpper(name) + "/")
}

// FuzzSplitHandle: no handle panics; every accepted one gives a name without
// "@" and a lower-case plain host (or none), which read back the same from
// acct:NAME@DOMAIN, and whose WebFinger query goes to exactly that host and
// asks for exactly that account.
func FuzzSplitHandle(f *testing.F) {
	for _, s := range []string{
		"alice@remote.example",
		"@alice@remote.example",
		"acct:alice@remote.example",
		"  @Alice@Remote.Example  ",
		"alice",
		"@alice",
		"alice@",
		"@",
		"",
		"alice@remote.example:8443",
		"alice@[::1]:8080",
		"alice@127.0.0.1",
		"alice@remote.example/evil?x#y",
		"alice@evil.example@remote.example",
		"alice@remote.example\\@evil.example",
		"alice@remote example",
		"alice@remote.example%2Fx",
		"alice@bücher.example",
		"ålice@xn--bcher-kva.example",
		"alice@REMOTE.EXAMPLE\u0130",
		"https://remote.example/@alice",
		"a b@remote.example",
		"acct:acct:alice@remote.example",
		"alice@remote.example:",
		"alice@:80",
		strings.Repeat("a", 300) + "@" + strings.Repeat("b", 300) + ".example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, handle string) {
		name, domain, ok := splitHandle(handle)
		if !ok {
			if name != "" || domain != "" {
				t.Fatalf("refused %q but gave %q, %q", handle, name, domain)
			}
			return
		}
		if name == "" || strings.Contains(name, "@") {
			t.Fatalf("%q gave the name %q", handle, name)
		}
		if domain != strings.ToLower(domain) || (domain != "" && !plainHost(domain)) {
			t.Fatalf("%q gave the domain %q", handle, domain)
		}
		again := "acct:" + name
		if domain != "" {
			again += "@" + domain
		}
		if n, d, ok := splitHandle(again); !ok || n != name || d != domain {
			t.Fatalf("%q gave %q, %q; %q reads back as %q, %q, %v", handle, name, domain, again, n, d, ok)
		}
		if domain == "" {
			return
		}
		for _, scheme := range []string{"https", "http"} {
			q := webfingerURL(scheme, name, domain)
			u, err := url.Parse(q)
			if err != nil {
				t.Fatalf("the query %q for %q does not parse: %v", q, handle, err)
			}
			if u.Scheme != scheme || u.Host != domain || u.User != nil || u.Path != "/.well-known/webfinger" || u.Fragment != "" {
				t.Fatalf("the query for %q goes to %q (host %q, path %q)", handle, q, u.Host, u.Path)
			}
			if got := u.Query()["resource"]; len(got) != 1 || got[0] != "acct:"+name+"@"+domain {
				t.Fatalf("the query %q for %q asks for %q", q, handle, got)
			}
		}
	})
}

// FuzzRemoteJRD feeds WebFinger answers — the fixtures of real servers and
// their mutations — to parseJRD and to what is read from it: no answer
// panics; every refusal is a 502 *apperr.Error; an actor is only ever the
// href of an ActivityPub "self" link; a remote-follow address is only ever
// an http(s) URL with a host, made from a subscribe template with the
// target filled in.
func FuzzRemoteJRD(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "shared", "fixtures", "activitypub", "*", "*webfinger*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body, "alice@assay.example")
	}
	for _, s := range []string{
		`{"subject":"acct:a@r.example","links":[{"rel":"self","type":"application/activity+json","href":"https://r.example/users/a"}]}`,
		`{"subject":"acct:a@r.example","links":[{"rel":"self","type":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","href":"https://r.example/u/a"}]}`,
		`{"links":[{"rel":"self","type":"text/html","href":"https://r.example/@a"},{"rel":"self","type":"application/activity+json","href":""}]}`,
		`{"links":[{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"https://r.example/authorize_interaction?uri={uri}"}]}`,
		`{"links":[{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"javascript:alert({uri})"}]}`,
		`{"links":[{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"//r.example/x?u={uri}"}]}`,
		`{"links":null,"aliases":null}`,
		`{"links":{}}`,
		`{"links":[null,1]}`,
		`[]`,
		`null`,
		``,
		`{"subject":"acct:a@r.example","links":[{"rel":"self","href":"https://r.example/users/a","type":"application/activity+json","titles":{"en":"A"},"properties":{"x":null}}]}`,
		"\xef\xbb\xbf{}",
	} {
		f.Add([]byte(s), "alice@assay.example")
	}
	f.Add([]byte(`{"links":[{"rel":"http://ostatus.org/schema/1.0/subscribe","template":"https://r.example/?u={uri}"}]}`), "https://assay.example/@alice?x=1&y=#z")
	f.Fuzz(func(t *testing.T, body []byte, target string) {
		jrd, err := parseJRD(body, "r.example")
		if err != nil {
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadGateway {
				t.Fatalf("refusal %v is not a 502 *apperr.Error", err)
			}
			return
		}
		if href := jrd.actorHref(); href != "" {
			found := false
			for _, l := range jrd.Links {
				if l.Rel == "self" && l.Href == href &&
					(strings.HasPrefix(l.Type, "application/activity+json") || strings.HasPrefix(l.Type, "application/ld+json")) {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("actor %q is no ActivityPub self link of %+v", href, jrd.Links)
			}
		}
		if to := jrd.subscribeURL(target); to != "" {
			u, err := url.Parse(to)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				t.Fatalf("remote-follow address %q (%v)", to, err)
			}
			found := false
			for _, l := range jrd.Links {
				if l.Rel == subscribeRel && strings.Contains(l.Template, "{uri}") &&
					strings.ReplaceAll(l.Template, "{uri}", url.QueryEscape(target)) == to {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("remote-follow address %q is from no subscribe template of %+v", to, jrd.Links)
			}
		}
	})
}

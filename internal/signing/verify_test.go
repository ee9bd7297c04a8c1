package signing

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/apperr"
)

var activity = []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://a.example/activities/1","type":"Follow","actor":"https://a.example/users/alice","object":"https://b.example/users/bob"}`)

func TestSignPOSTRoundTrip(t *testing.T) {
	key, _ := testKeys(t)
	srv := inboxServer(t, &key.PublicKey, time.Now)

	req := newPOST(t, srv.URL+"/users/bob/inbox", activity)
	if err := SignPOST(req, activity, mastodonKeyID, key); err != nil {
		t.Fatal(err)
	}
	sig, err := ParseSignatureHeader(req.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	if sig.Algorithm != "rsa-sha256" || strings.Join(sig.Headers, " ") != "(request-target) host date digest" || sig.KeyID != mastodonKeyID {
		t.Fatalf("signature header %q", req.Header.Get("Signature"))
	}
	if got := req.Header.Get("Digest"); got != sha256Digest(activity) {
		t.Fatalf("Digest %q, want %q", got, sha256Digest(activity))
	}
	if d, err := http.ParseTime(req.Header.Get("Date")); err != nil || time.Since(d) > time.Minute {
		t.Fatalf("Date %q", req.Header.Get("Date"))
	}
	if req.Host != strings.TrimPrefix(srv.URL, "http://") {
		t.Fatalf("r.Host %q", req.Host)
	}
	if status, reason := send(t, req); status != http.StatusAccepted {
		t.Fatalf("got %d %q", status, reason)
	}
}

func TestSignGETRoundTrip(t *testing.T) {
	key, _ := testKeys(t)
	srv := inboxServer(t, &key.PublicKey, time.Now)

	for _, path := range []string{"/users/alice", "/users/alice/outbox?page=2&min_id=01J", "/videos/%C3%A9t%C3%A9"} {
		req := newGET(t, srv.URL+path)
		if err := SignGET(req, gtsKeyID, key); err != nil {
			t.Fatal(err)
		}
		sig, err := ParseSignatureHeader(req.Header.Get("Signature"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(sig.Headers, " ") != "(request-target) host date" || req.Header.Get("Digest") != "" {
			t.Fatalf("%s: headers %v, Digest %q", path, sig.Headers, req.Header.Get("Digest"))
		}
		if status, reason := send(t, req); status != http.StatusAccepted {
			t.Fatalf("%s: got %d %q", path, status, reason)
		}
	}
}

// Mastodon before 4.3 signed the bare path of a URL with a query.
func TestVerifyAcceptsPathOnlySignature(t *testing.T) {
	key, _ := testKeys(t)
	srv := inboxServer(t, &key.PublicKey, time.Now)

	signed := newGET(t, srv.URL+"/users/alice/outbox")
	if err := SignGET(signed, mastodonKeyID, key); err != nil {
		t.Fatal(err)
	}
	for query, want := range map[string]int{"?page=1": http.StatusAccepted, "": http.StatusAccepted} {
		req := newGET(t, srv.URL+"/users/alice/outbox"+query)
		req.Header = signed.Header.Clone()
		if status, reason := send(t, req); status != want {
			t.Fatalf("%q: got %d %q", query, status, reason)
		}
	}

	// A signature over one query does not cover another.
	signed = newGET(t, srv.URL+"/users/alice/outbox?page=1")
	if err := SignGET(signed, mastodonKeyID, key); err != nil {
		t.Fatal(err)
	}
	req := newGET(t, srv.URL+"/users/alice/outbox?page=2")
	req.Header = signed.Header.Clone()
	if status, reason := send(t, req); status != http.StatusUnauthorized || reason != "the signature does not verify with the sender's public key" {
		t.Fatalf("got %d %q", status, reason)
	}
}

// Every refusal, through a real server, with its status and reason.
func TestVerifyRefusals(t *testing.T) {
	key, other := testKeys(t)
	t0 := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

	type tc struct {
		name   string
		clock  time.Time // zero: time.Now
		build  func(t *testing.T, url string) *http.Request
		status int
		reason string
	}
	signedPOST := func(t *testing.T, url string, body []byte, k *rsa.PrivateKey) *http.Request {
		req := newPOST(t, url+"/users/bob/inbox", body)
		if err := SignPOST(req, body, mastodonKeyID, k); err != nil {
			t.Fatal(err)
		}
		return req
	}
	signedAt := func(at time.Time, headers []string) func(t *testing.T, url string) *http.Request {
		return func(t *testing.T, url string) *http.Request {
			req := newPOST(t, url+"/users/bob/inbox", activity)
			body := activity
			if !slices.Contains(headers, "digest") {
				body = nil // go-fed adds no Digest then
			}
			if err := sign(req, body, mastodonKeyID, key, headers, at); err != nil {
				t.Fatal(err)
			}
			return req
		}
	}
	withSignature := func(edit func(string) string) func(t *testing.T, url string) *http.Request {
		return func(t *testing.T, url string) *http.Request {
			req := signedPOST(t, url, activity, key)
			req.Header.Set("Signature", edit(req.Header.Get("Signature")))
			return req
		}
	}
	customDigest := func(digest string) func(t *testing.T, url string) *http.Request {
		return func(t *testing.T, url string) *http.Request {
			req := newPOST(t, url+"/users/bob/inbox", activity)
			req.Header.Set("Digest", digest)
			signWithGoFed(t, req, key, gtsKeyID, postHeaders, 0)
			return req
		}
	}
	sha1Sum := sha1.Sum(activity)
	sha512Sum := sha512.Sum512(activity)

	cases := []tc{
		{name: "no signature", build: func(t *testing.T, url string) *http.Request {
			return newPOST(t, url+"/users/bob/inbox", activity)
		}, status: 401, reason: "the request has no HTTP signature"},
		{name: "wrong key", build: func(t *testing.T, url string) *http.Request {
			return signedPOST(t, url, activity, other)
		}, status: 401, reason: "the signature does not verify with the sender's public key"},
		{name: "body changed after signing", build: func(t *testing.T, url string) *http.Request {
			signed := signedPOST(t, url, activity, key)
			tampered := bytes.Replace(activity, []byte("Follow"), []byte("Block"), 1)
			req := newPOST(t, url+"/users/bob/inbox", tampered)
			req.Header = signed.Header.Clone()
			return req
		}, status: 400, reason: "the Digest header does not match the body"},
		{name: "digest not signed on POST", build: signedAt(time.Now(), getHeaders),
			status: 401, reason: "the signature must cover the Digest header on a request with a body"},
		{name: "host not signed", build: signedAt(time.Now(), []string{"(request-target)", "date", "digest"}),
			status: 401, reason: "the signature must cover the Host header"},
		{name: "request-target not signed", build: signedAt(time.Now(), []string{"host", "date", "digest"}),
			status: 401, reason: "the signature must cover (request-target)"},
		{name: "date not signed", build: signedAt(time.Now(), []string{"(request-target)", "host", "digest"}),
			status: 401, reason: "the signature must cover the Date header or (created)"},
		{name: "date 13 h old", clock: t0.Add(13 * time.Hour), build: signedAt(t0, postHeaders),
			status: 401, reason: "the Date header is 13h0m0s away from this server's clock (limit 12h)"},
		{name: "date 13 h in the future", clock: t0, build: signedAt(t0.Add(13*time.Hour), postHeaders),
			status: 401, reason: "the Date header is 13h0m0s away from this server's clock (limit 12h)"},
		{name: "date in year 9999 (time.Sub saturates)", build: signedAt(time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), postHeaders),
			status: 401, reason: "the Date header is 2562047h47m16…"},
		{name: "date 11 h 59 m old is fine", clock: t0.Add(11*time.Hour + 59*time.Minute), build: signedAt(t0, postHeaders),
			status: 202},
		{name: "signature over a different path", build: func(t *testing.T, url string) *http.Request {
			signed := signedPOST(t, url, activity, key)
			req := newPOST(t, url+"/users/carol/inbox", activity)
			req.Header = signed.Header.Clone()
			return req
		}, status: 401, reason: "the signature does not verify with the sender's public key"},
		{name: "signature for a different host", build: func(t *testing.T, url string) *http.Request {
			req := signedPOST(t, url, activity, key)
			req.Host = "other.example"
			return req
		}, status: 401, reason: "the signature does not verify with the sender's public key"},
		{name: "hs2019 accepted", build: withSignature(func(s string) string {
			return strings.Replace(s, `algorithm="rsa-sha256"`, `algorithm="hs2019"`, 1)
		}), status: 202},
		{name: "no algorithm accepted", build: withSignature(func(s string) string {
			return strings.Replace(s, `algorithm="rsa-sha256",`, ``, 1)
		}), status: 202},
		{name: "rsa-sha512 refused", build: withSignature(func(s string) string {
			return strings.Replace(s, `algorithm="rsa-sha256"`, `algorithm="rsa-sha512"`, 1)
		}), status: 401, reason: `unsupported signature algorithm "rsa-sha512" (accepted: rsa-sha256, hs2019)`},
		{name: "spaces after commas (parsed, still verifies)", build: withSignature(func(s string) string {
			return strings.ReplaceAll(s, `",`, `", `)
		}), status: 202},
		{name: "repeated headers parameter", build: withSignature(func(s string) string {
			return strings.Replace(s, `,signature=`, `,headers="date",signature=`, 1)
		}), status: 400, reason: `malformed HTTP signature: parameter "headers" appears twice`},
		{name: "unclosed quote", build: withSignature(func(s string) string {
			return strings.TrimSuffix(s, `"`)
		}), status: 400, reason: "malformed HTTP signature: a quoted value is not closed"},
		{name: "Authorization: Signature accepted", build: func(t *testing.T, url string) *http.Request {
			req := signedPOST(t, url, activity, key)
			req.Header.Set("Authorization", "Signature "+req.Header.Get("Signature"))
			req.Header.Del("Signature")
			return req
		}, status: 202},
		{name: "two signatures", build: func(t *testing.T, url string) *http.Request {
			req := signedPOST(t, url, activity, key)
			req.Header.Set("Authorization", "Signature "+req.Header.Get("Signature"))
			return req
		}, status: 400, reason: "the request carries more than one HTTP signature"},
		{name: "RFC 9421 signature", build: func(t *testing.T, url string) *http.Request {
			req := newPOST(t, url+"/users/bob/inbox", activity)
			req.Header.Set("Signature-Input", `sig1=("@method" "@target-uri");created=1700000000;keyid="k"`)
			req.Header.Set("Signature", `sig1=:AAAA:`)
			return req
		}, status: 401, reason: "RFC 9421 HTTP message signatures are not supported here; sign with draft-cavage HTTP signatures"},
		{name: "GoToSocial-style hs2019 from go-fed", build: customDigest(sha256Digest(activity)), status: 202},
		{name: "lower-case sha-256", build: customDigest("sha-256=" + strings.TrimPrefix(sha256Digest(activity), "SHA-256=")), status: 202},
		{name: "SHA-256 in a list", build: customDigest("SHA=" + base64.StdEncoding.EncodeToString(sha1Sum[:]) + ", " + sha256Digest(activity) + ", SHA-512=" + base64.StdEncoding.EncodeToString(sha512Sum[:])), status: 202},
		{name: "only SHA-1 and MD5", build: customDigest("SHA=" + base64.StdEncoding.EncodeToString(sha1Sum[:]) + ",MD5=HUXZLQLMuI/KZ5KDcJPcOA=="),
			status: 400, reason: "the Digest header has no SHA-256 value (SHA-1 and MD5 are not accepted)"},
		{name: "signed Digest of another body", build: customDigest(sha256Digest([]byte("{}"))),
			status: 400, reason: "the Digest header does not match the body"},
		{name: "signed header missing", build: func(t *testing.T, url string) *http.Request {
			req := newPOST(t, url+"/users/bob/inbox", activity)
			req.Header.Set("Digest", sha256Digest(activity))
			signWithGoFed(t, req, key, gtsKeyID, append(postHeaders, "content-type"), 0)
			req.Header.Del("Content-Type")
			return req
		}, status: 401, reason: `the signed header "content-type" is missing from the request`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := time.Now
			if !c.clock.IsZero() {
				clock = func() time.Time { return c.clock }
			}
			srv := inboxServer(t, &key.PublicKey, clock)
			status, reason := send(t, c.build(t, srv.URL))
			if status != c.status || (c.reason != "" && !reasonMatches(reason, c.reason)) {
				t.Fatalf("got %d %q, want %d %q", status, reason, c.status, c.reason)
			}
		})
	}
}

// hs2019 with (created) and (expires) instead of Date, as draft-cavage-12
// senders do; go-fed fills created/expires from the wall clock.
func TestVerifyCreatedAndExpires(t *testing.T) {
	key, _ := testKeys(t)
	headers := []string{"(request-target)", "host", "(created)", "(expires)", "digest"}
	build := func(t *testing.T, url string) *http.Request {
		req := newPOST(t, url+"/users/bob/inbox", activity)
		req.Header.Set("Digest", sha256Digest(activity))
		signWithGoFed(t, req, key, gtsKeyID, headers, 300)
		return req
	}
	for _, c := range []struct {
		name   string
		offset time.Duration
		status int
		reason string
	}{
		{"fresh", 0, 202, ""},
		{"expired past the margin", 2 * time.Hour, 401, "the signature expired 1h55m0s ago"},
		{"created 13 h ago", 13 * time.Hour, 401, "the signature's created time is 13h0m0s away from this server's clock (limit 12h)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := inboxServer(t, &key.PublicKey, func() time.Time { return time.Now().Add(c.offset) })
			status, reason := send(t, build(t, srv.URL))
			// The created time is whole seconds; allow the test's own second to tick.
			if status != c.status || (c.reason != "" && reason != c.reason && !closeReason(reason, c.reason)) {
				t.Fatalf("got %d %q, want %d %q", status, reason, c.status, c.reason)
			}
		})
	}
}

// closeReason accepts a reason whose duration differs by a second or two.
func closeReason(got, want string) bool {
	cut := func(s string) string {
		i := strings.IndexAny(s, "0123456789")
		if i < 0 {
			return s
		}
		return s[:i]
	}
	return cut(got) == cut(want)
}

func TestKeyID(t *testing.T) {
	key, _ := testKeys(t)
	for _, id := range []string{mastodonKeyID, gtsKeyID} {
		req := newPOST(t, "https://b.example/users/bob/inbox", activity)
		if err := SignPOST(req, activity, id, key); err != nil {
			t.Fatal(err)
		}
		if got, err := KeyID(req); err != nil || got != id {
			t.Fatalf("KeyID = %q, %v; want %q", got, err, id)
		}
		req.Header.Set("Authorization", "Signature "+req.Header.Get("Signature"))
		req.Header.Del("Signature")
		if got, err := KeyID(req); err != nil || got != id {
			t.Fatalf("KeyID from Authorization = %q, %v; want %q", got, err, id)
		}
	}

	req := newGET(t, "https://b.example/users/bob")
	_, err := KeyID(req)
	wantAppErr(t, err, 401, "the request has no HTTP signature")

	req.Header.Set("Authorization", "Bearer abc") // an API token is not a signature
	_, err = KeyID(req)
	wantAppErr(t, err, 401, "the request has no HTTP signature")

	req.Header.Set("Signature", `keyId="x",signature="AAAA`)
	_, err = KeyID(req)
	wantAppErr(t, err, 400, "malformed HTTP signature: a quoted value is not closed")
}

// Verify reads the request as a server holds it and changes nothing in it.
func TestVerifyServerSideRequestUnchanged(t *testing.T) {
	key, _ := testKeys(t)
	client := newPOST(t, "https://b.example/users/bob/inbox?x=1", activity)
	if err := SignPOST(client, activity, mastodonKeyID, key); err != nil {
		t.Fatal(err)
	}
	server := httptest.NewRequest(http.MethodPost, "/users/bob/inbox?x=1", bytes.NewReader(activity))
	server.Host = "b.example"
	server.Header = client.Header.Clone()
	before := server.Header.Clone()

	if err := Verify(server, activity, &key.PublicKey, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, ok := server.Header["Host"]; ok {
		t.Fatal("Verify added Host to r.Header")
	}
	if len(server.Header) != len(before) || server.Header.Get("Signature") != before.Get("Signature") {
		t.Fatalf("Verify changed r.Header: %v → %v", before, server.Header)
	}

	// The path as sent, not as decoded.
	client = newPOST(t, "https://b.example/users/b%C3%B6b/inbox", activity)
	if err := SignPOST(client, activity, mastodonKeyID, key); err != nil {
		t.Fatal(err)
	}
	server = httptest.NewRequest(http.MethodPost, "/users/b%C3%B6b/inbox", bytes.NewReader(activity))
	server.Host = "b.example"
	server.Header = client.Header.Clone()
	if err := Verify(server, activity, &key.PublicKey, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyKeyTypes(t *testing.T) {
	key, _ := testKeys(t)
	req := newPOST(t, "https://b.example/users/bob/inbox", activity)
	if err := SignPOST(req, activity, mastodonKeyID, key); err != nil {
		t.Fatal(err)
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	wantAppErr(t, Verify(req, activity, edPub, time.Now()), 401, "the sender's key is not an RSA key; only RSA-SHA256 signatures are accepted")

	err := Verify(req, activity, nil, time.Now())
	var ae *apperr.Error
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("nil key: got %v, want a plain (500) error", err)
	}

	err = Verify(req, activity, &testKeysB(t).PublicKey, time.Now())
	wantAppErr(t, err, 401, "the signature does not verify with the sender's public key")
	if !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("%v is not ErrSignatureMismatch", err)
	}
}

func testKeysB(t *testing.T) *rsa.PrivateKey { _, b := testKeys(t); return b }

func TestSignErrors(t *testing.T) {
	key, _ := testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	for name, c := range map[string]struct {
		key   any
		keyID string
	}{
		"ed25519 key":    {edPriv, mastodonKeyID},
		"nil key":        {nil, mastodonKeyID},
		"1024-bit key":   {small, mastodonKeyID},
		"empty key id":   {key, ""},
		"quote in keyId": {key, `https://a.example/"x`},
		"space in keyId": {key, "https://a.example/ x"},
	} {
		req := newPOST(t, "https://b.example/inbox", activity)
		if err := SignPOST(req, activity, c.keyID, c.key); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}

// A retry re-signs the same request: one fresh Date, Digest and Signature.
func TestSignTwiceReplaces(t *testing.T) {
	key, _ := testKeys(t)
	srv := inboxServer(t, &key.PublicKey, time.Now)
	req := newPOST(t, srv.URL+"/users/bob/inbox", activity)
	for range 2 {
		if err := SignPOST(req, activity, mastodonKeyID, key); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []string{"Date", "Digest", "Signature"} {
		if n := len(req.Header.Values(h)); n != 1 {
			t.Fatalf("%d %s headers", n, h)
		}
	}
	if status, reason := send(t, req); status != http.StatusAccepted {
		t.Fatalf("got %d %q", status, reason)
	}
}

// The Host signed is the one net/http sends: ASCII for an IDN host.
func TestSignIDNHost(t *testing.T) {
	key, _ := testKeys(t)
	req := newGET(t, "https://bücher.example/users/alice")
	if err := SignGET(req, mastodonKeyID, key); err != nil {
		t.Fatal(err)
	}
	if req.Host != "xn--bcher-kva.example" {
		t.Fatalf("r.Host = %q", req.Host)
	}
	server := httptest.NewRequest(http.MethodGet, "/users/alice", nil)
	server.Host = "xn--bcher-kva.example"
	server.Header = req.Header.Clone()
	if err := Verify(server, nil, &key.PublicKey, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyGoFedIgnoredAlgorithmLabel(t *testing.T) {
	// go-fed's signer says hs2019 whatever it signs with; ours says rsa-sha256.
	key, _ := testKeys(t)
	req := newGET(t, "https://b.example/users/bob")
	signWithGoFed(t, req, key, gtsKeyID, getHeaders, 0)
	if !strings.Contains(req.Header.Get("Signature"), `algorithm="hs2019"`) {
		t.Fatalf("go-fed header %q", req.Header.Get("Signature"))
	}
	req.Host = "b.example"
	if err := Verify(req, nil, &key.PublicKey, time.Now()); err != nil {
		t.Fatal(err)
	}
}

package federation_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-fed/activity/streams/vocab"
	"github.com/go-fed/httpsig"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/signing"
	"github.com/assay-social/assay/internal/testrig"
)

// The inbox tests send hand-made, hand-signed requests to a real instance
// (A, on 127.0.0.1) as if they came from a real second instance (B, on
// 127.0.0.2), so A verifies each signature with the key it fetches from B.
// Each bad request is a correct one with exactly one thing broken, and the
// correct ones are shown to be accepted first: a refusal cannot pass because
// the request was wrong in some other way.

const (
	activityJSON = "application/activity+json"
	ldJSON       = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
)

// inboxFixture is A (the receiver, alice) and B (the sender, bob and carol),
// with alice following bob so that bob's videos are stored on A.
type inboxFixture struct {
	a, b               *testrig.Instance
	alice, bob, carol  *testrig.User
	aliceURI, bobURI   string
	carolURI           string
	bobAccount         *model.Account
	bobKey             crypto.PrivateKey
	bobKeyID           string
	sharedInbox, inbox string // A's shared inbox and alice's
}

func newInboxFixture(t *testing.T) *inboxFixture {
	t.Helper()
	ctx := context.Background()
	fx := &inboxFixture{
		a: testrig.NewInstance(t, testrig.OnHost("127.0.0.1")),
		b: testrig.NewInstance(t, testrig.OnHost("127.0.0.2")),
	}
	fx.alice = fx.a.CreateUser("alice", false)
	fx.bob = fx.b.CreateUser("bob", false)
	fx.carol = fx.b.CreateUser("carol", false)
	fx.aliceURI, fx.bobURI, fx.carolURI = fx.alice.Account.URI, fx.bob.Account.URI, fx.carol.Account.URI
	bobAcct, err := fx.b.Store.AccountByName(ctx, "bob", "")
	if err != nil {
		t.Fatal(err)
	}
	fx.bobAccount = bobAcct
	if fx.bobKey, err = signing.ParsePrivateKeyPEM(bobAcct.PrivateKeyPEM); err != nil {
		t.Fatal(err)
	}
	fx.bobKeyID = bobAcct.PublicKeyURI
	fx.sharedInbox = fx.a.URL + "/inbox"
	fx.inbox = fx.a.URL + "/users/alice/inbox"

	// alice follows bob, so a Create{Video} from bob has an audience on A.
	follow(t, fx.a, fx.alice.Token, "bob@"+domainOf(fx.b))
	testrig.Eventually(t, settle, "B never accepted alice's follow", func() bool {
		return followState(fx.a, fx.alice, fx.bobURI) == model.FollowAccepted
	})
	return fx
}

// followActivity is a Follow of alice by actor, with a fresh id on actor's host.
func (fx *inboxFixture) followActivity(t *testing.T, actor string) []byte {
	t.Helper()
	id := hostBase(t, actor) + "/activities/" + model.NewID()
	return serialize(t, ap.Follow(id, actor, fx.aliceURI))
}

// createVideo is a Create{Video} by bob, as B would send it, whose object
// lives on objectBase (B itself for a correct one).
func (fx *inboxFixture) createVideo(t *testing.T, objectBase string) (body []byte, objectURI string) {
	t.Helper()
	id := model.NewID()
	now := time.Now().UTC()
	objectURI = objectBase + "/videos/" + id
	v := &model.Video{
		ID: id, URI: objectURI, URL: objectURI, ObjectType: "Video", Title: "Clip " + id,
		Description: "a clip", State: model.VideoReady, Public: true, DurationSeconds: 8, PublishedAt: now,
		Media: []*model.MediaFile{{
			ID: model.NewID(), Role: model.MediaRendition, URL: objectBase + "/media/" + id + "-720.mp4",
			MimeType: "video/mp4", Width: 720, Height: 1280, Size: 2400000,
		}},
	}
	obj, err := ap.VideoObject(ap.Paths{Base: mustURL(t, fx.b.URL)}, v, fx.bobAccount, "")
	if err != nil {
		t.Fatal(err)
	}
	activity := ap.Create(fx.b.URL+"/activities/"+model.NewID(), fx.bobURI, obj,
		[]string{"https://www.w3.org/ns/activitystreams#Public"}, []string{fx.bobAccount.FollowersURI})
	return serialize(t, activity), objectURI
}

func serialize(t *testing.T, v vocab.Type) []byte {
	t.Helper()
	b, err := ap.Serialize(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// hostBase is scheme://host of a URL.
func hostBase(t *testing.T, s string) string {
	u := mustURL(t, s)
	return u.Scheme + "://" + u.Host
}

// signer signs a request for a body; nil sends it unsigned.
type signer func(r *http.Request, body []byte) error

// signedBy signs as SignPOST does: Date now, Digest of body, rsa-sha256.
func signedBy(keyID string, key crypto.PrivateKey) signer {
	return func(r *http.Request, body []byte) error { return signing.SignPOST(r, body, keyID, key) }
}

// signedAt signs like SignPOST but with a given Date, which SignPOST always
// sets to now: it has go-fed/httpsig sign a scratch request carrying that
// Date and copies Date, Digest and Signature onto r.
func signedAt(keyID string, key crypto.PrivateKey, date time.Time) signer {
	return func(r *http.Request, body []byte) error {
		s, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
			[]string{httpsig.RequestTarget, "host", "date", "digest"}, httpsig.Signature, 0)
		if err != nil {
			return err
		}
		scratch := &http.Request{
			Method: r.Method, URL: &url.URL{Path: r.URL.Path, RawQuery: r.URL.RawQuery}, Host: r.URL.Host,
			Header: http.Header{"Host": {r.URL.Host}, "Date": {date.UTC().Format(http.TimeFormat)}},
		}
		if err := s.SignRequest(key, keyID, scratch, body); err != nil {
			return err
		}
		for _, h := range []string{"Date", "Digest", "Signature"} {
			r.Header.Set(h, scratch.Header.Get(h))
		}
		return nil
	}
}

// postInbox POSTs sent to target with contentType, signed by sign over
// signedBody (the body sent, unless a test changes it after signing).
func postInbox(t *testing.T, target, contentType string, signedBody, sent []byte, sign signer) *testrig.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(sent))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if sign != nil {
		if err := sign(req, signedBody); err != nil {
			t.Fatalf("signing: %v", err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatalf("POST %s: reading the answer: %v", target, err)
	}
	return &testrig.Response{Response: resp, Body: buf.Bytes()}
}

// wantRefusal checks the status and that the JSON error names the problem.
func wantRefusal(t *testing.T, resp *testrig.Response, status int, reason string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var out struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.Error == "" {
		t.Fatalf("the refusal is not a JSON {\"error\": …}: %s", resp.Body)
	}
	if !strings.Contains(strings.ToLower(out.Error), strings.ToLower(reason)) {
		t.Errorf("reason %q does not say %q", out.Error, reason)
	}
}

func wantAccepted(t *testing.T, resp *testrig.Response, what string) {
	t.Helper()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("%s: status %d, want 202: %s", what, resp.StatusCode, resp.Body)
	}
}

// counted are the rows an inbox request may create: the received activity,
// its job, and the effects of processing it.
var counted = []struct{ name, table, where string }{
	{"inbox_items", "inbox_items", ""},
	{"inbox jobs", "jobs", "kind = 'inbox'"},
	{"videos", "videos", ""},
	{"follows", "follows", ""},
	{"reactions", "reactions", ""},
	{"comments", "comments", ""},
	{"reports", "reports", ""},
}

func snapshot(t *testing.T, inst *testrig.Instance) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, c := range counted {
		out[c.name] = inst.Count(c.table, c.where)
	}
	return out
}

func wantNothingStored(t *testing.T, inst *testrig.Instance, before map[string]int) {
	t.Helper()
	for name, n := range snapshot(t, inst) {
		if n != before[name] {
			t.Errorf("%s: %d rows, was %d: something was stored", name, n, before[name])
		}
	}
}

// waitQuiet waits until no job is waiting or running, so that the counts
// taken next are not moved by earlier, accepted work.
func waitQuiet(t *testing.T, inst *testrig.Instance) {
	t.Helper()
	testrig.Eventually(t, settle, "jobs never settled", func() bool {
		return inst.Count("jobs", "state IN ('pending', 'running')") == 0
	})
}

// TestInboxRefusesBadInput sends bad requests to alice's inbox and to the
// shared inbox: each is refused with its own 4xx and a JSON reason, and
// nothing is stored. A replay is accepted and has no second effect; a
// suspended domain gets 403.
func TestInboxRefusesBadInput(t *testing.T) {
	fx := newInboxFixture(t)
	ctx := context.Background()
	bob := signedBy(fx.bobKeyID, fx.bobKey)

	// Baseline: the two requests every case below breaks are accepted, and
	// have their effect — a follow of alice, a stored video.
	followBody := fx.followActivity(t, fx.bobURI)
	wantAccepted(t, postInbox(t, fx.inbox, activityJSON, followBody, followBody, bob), "bob's Follow")
	createBody, videoURI := fx.createVideo(t, fx.b.URL)
	wantAccepted(t, postInbox(t, fx.sharedInbox, ldJSON, createBody, createBody, bob), "bob's Create{Video}")
	bobOnA := func() *model.Account {
		acct, err := fx.a.Store.AccountByURI(ctx, fx.bobURI)
		if err != nil {
			t.Fatalf("A does not know bob: %v", err)
		}
		return acct
	}
	testrig.Eventually(t, settle, "A never stored bob's follow of alice", func() bool {
		_, err := fx.a.Store.FollowBetween(ctx, bobOnA().ID, fx.alice.AccountID)
		return err == nil
	})
	testrig.Eventually(t, settle, "A never stored bob's video", func() bool {
		_, err := fx.a.Store.VideoByURI(ctx, videoURI)
		return err == nil
	})
	waitQuiet(t, fx.a)

	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	follows := func(t *testing.T) []byte { return fx.followActivity(t, fx.bobURI) }
	creates := func(t *testing.T) []byte { b, _ := fx.createVideo(t, fx.b.URL); return b }
	deep := func(t *testing.T) []byte {
		// A Follow whose object is an array nested 10,000 deep.
		return []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","id":"` +
			fx.b.URL + `/activities/` + model.NewID() + `","actor":"` + fx.bobURI + `","object":` +
			strings.Repeat("[", 10000) + `"` + fx.aliceURI + `"` + strings.Repeat("]", 10000) + `}`)
	}

	cases := []struct {
		name        string
		body        func(t *testing.T) []byte
		contentType string              // activity+json when empty
		sign        signer              // bob's key when nil, unless unsigned
		unsigned    bool                // send no signature at all
		alter       func([]byte) []byte // changes the body after signing
		onlyTo      string              // a single target instead of both inboxes
		status      int
		reason      string
		within      time.Duration // the refusal must come this fast
	}{
		{name: "no signature", body: follows, unsigned: true,
			status: http.StatusUnauthorized, reason: "must carry an HTTP signature"},
		{name: "bad signature", body: follows, sign: signedBy(fx.bobKeyID, otherKey),
			status: http.StatusUnauthorized, reason: "signature does not verify"},
		{name: "digest mismatch", body: creates,
			alter:  func(b []byte) []byte { return bytes.Replace(b, []byte("a clip"), []byte("A CLIP"), 1) },
			status: http.StatusBadRequest, reason: "Digest header does not match the body"},
		{name: "date 13h old", body: follows, sign: signedAt(fx.bobKeyID, fx.bobKey, time.Now().Add(-13*time.Hour)),
			status: http.StatusUnauthorized, reason: "Date header is 13h"},
		{name: "signer is not the actor", body: func(t *testing.T) []byte { return fx.followActivity(t, fx.carolURI) },
			status: http.StatusUnauthorized, reason: "not by the activity's actor " + fx.carolURI},
		{name: "2 MiB body", body: func(t *testing.T) []byte {
			// The Follow with a 2 MiB summary.
			return bytes.Replace(follows(t), []byte("{"), []byte(`{"summary":"`+strings.Repeat("x", 2<<20)+`",`), 1)
		}, status: http.StatusRequestEntityTooLarge, reason: "at most 1 MiB"},
		{name: "malformed JSON", body: func(t *testing.T) []byte { return bytes.TrimSuffix(follows(t), []byte("}")) },
			status: http.StatusBadRequest, reason: "valid JSON"},
		{name: "JSON nested 10000 deep", body: deep,
			status: http.StatusBadRequest, reason: "nests deeper than", within: time.Second},
		{name: "object on another host", body: func(t *testing.T) []byte { b, _ := fx.createVideo(t, "http://127.0.0.3:8080"); return b },
			status: http.StatusBadRequest, reason: "http://127.0.0.3:8080/videos/"},
		{name: "text/plain", body: follows, contentType: "text/plain",
			status: http.StatusUnsupportedMediaType, reason: "application/activity+json"},
		{name: "no such user", body: follows, onlyTo: fx.a.URL + "/users/nobody/inbox",
			status: http.StatusNotFound, reason: "no such user"},
	}
	for _, tc := range cases {
		targets := map[string]string{"personal": fx.inbox, "shared": fx.sharedInbox}
		if tc.onlyTo != "" {
			targets = map[string]string{"personal": tc.onlyTo}
		}
		for kind, target := range targets {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				body := tc.body(t)
				sent := body
				if tc.alter != nil {
					if sent = tc.alter(body); bytes.Equal(sent, body) {
						t.Fatal("the alteration changed nothing")
					}
				}
				ct := tc.contentType
				if ct == "" {
					ct = activityJSON
				}
				sign := tc.sign
				if sign == nil && !tc.unsigned {
					sign = bob
				}
				before := snapshot(t, fx.a)
				start := time.Now()
				resp := postInbox(t, target, ct, body, sent, sign)
				took := time.Since(start)
				wantRefusal(t, resp, tc.status, tc.reason)
				if tc.within > 0 && took > tc.within {
					t.Errorf("the refusal took %v, want < %v", took, tc.within)
				}
				wantNothingStored(t, fx.a, before)
			})
		}
	}

	t.Run("replay", func(t *testing.T) {
		before := snapshot(t, fx.a)
		// The same activities again, freshly signed, at the other inbox too.
		for _, target := range []string{fx.inbox, fx.sharedInbox} {
			wantAccepted(t, postInbox(t, target, activityJSON, followBody, followBody, bob), "a replayed Follow")
			wantAccepted(t, postInbox(t, target, ldJSON, createBody, createBody, bob), "a replayed Create")
		}
		waitQuiet(t, fx.a)
		wantNothingStored(t, fx.a, before)
		var followID, createID struct {
			ID string `json:"id"`
		}
		json.Unmarshal(followBody, &followID) //nolint:errcheck // our own JSON
		json.Unmarshal(createBody, &createID) //nolint:errcheck
		for _, id := range []string{followID.ID, createID.ID} {
			if n := fx.a.Count("inbox_items", "uri = ?", id); n != 1 {
				t.Errorf("%d inbox_items for %s, want 1", n, id)
			}
		}
		if n := fx.a.Count("follows", "account_id = ? AND target_account_id = ?", bobOnA().ID, fx.alice.AccountID); n != 1 {
			t.Errorf("%d follows of alice by bob, want 1", n)
		}
		if n := fx.a.Count("videos", "uri = ?", videoURI); n != 1 {
			t.Errorf("%d copies of bob's video, want 1", n)
		}
	})

	t.Run("suspended domain", func(t *testing.T) {
		if _, err := fx.a.Federation.BlockDomain(ctx, domainOf(fx.b), model.BlockSuspend, ""); err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{fx.inbox, fx.sharedInbox} {
			before := snapshot(t, fx.a)
			body := fx.followActivity(t, fx.bobURI)
			wantRefusal(t, postInbox(t, target, activityJSON, body, body, bob), http.StatusForbidden,
				"does not federate with "+domainOf(fx.b))
			wantNothingStored(t, fx.a, before)
		}
	})
}

// hitCounter is a test server on a loopback address that counts requests;
// it answers like an ActivityPub server, so a fetch that got through would
// succeed and be noticed.
type hitCounter struct {
	*httptest.Server
	hits atomic.Int64
}

func newHitCounter(t *testing.T, h http.HandlerFunc) *hitCounter {
	t.Helper()
	hc := &hitCounter{}
	hc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hc.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(hc.Close)
	return hc
}

func actorServer(w http.ResponseWriter, r *http.Request) {
	base := "http://" + r.Host
	w.Header().Set("Content-Type", activityJSON)
	fmt.Fprintf(w, `{"@context":"https://www.w3.org/ns/activitystreams","id":"%[1]s%[2]s","type":"Person",`+
		`"preferredUsername":"x","inbox":"%[1]s%[2]s/inbox","outbox":"%[1]s%[2]s/outbox"}`, base, r.URL.Path)
}

// guardedInstance is an instance that does not allow private networks, as
// in production. It still serves on 127.0.0.1 for the test to reach it:
// the guard is about where the server connects, not where it listens.
func guardedInstance(t *testing.T) *testrig.Instance {
	t.Helper()
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.AllowPrivateNetworks = false }))
	if inst.Config.AllowPrivateNetworks {
		t.Fatal("the instance allows private networks")
	}
	return inst
}

// ssrfCounted adds what a follow or a key fetch would store.
func ssrfSnapshot(t *testing.T, inst *testrig.Instance) map[string]int {
	t.Helper()
	s := snapshot(t, inst)
	s["accounts"] = inst.Count("accounts", "")
	s["jobs"] = inst.Count("jobs", "")
	s["outbox_activities"] = inst.Count("outbox_activities", "")
	return s
}

func wantNothingNew(t *testing.T, inst *testrig.Instance, before map[string]int) {
	t.Helper()
	for name, n := range ssrfSnapshot(t, inst) {
		if n != before[name] {
			t.Errorf("%s: %d rows, was %d", name, n, before[name])
		}
	}
}

// TestSSRFRefusesPrivateActorURLs: with private networks not allowed, a
// follow of an actor URL on loopback, a private network or the cloud
// metadata address is refused before any connection is made — directly or
// when the first hop would redirect.
//
// Redirects: the guard re-checks every hop at dial time, so a redirect from
// an allowed server to a forbidden one is refused; internal/netguard's
// TestRedirectToForbiddenAddress proves it with a first hop it allows
// (netguard.Options.AllowAddrs = 127.0.0.1/32) redirecting to 127.0.0.2,
// 10.0.0.1, 169.254.169.254 and ::1, and checks the 127.0.0.2 server is never
// reached. A whole instance cannot be given such a public-looking first hop
// offline: every server a test can start is on loopback, which the instance's
// guard refuses when private networks are not allowed, and app.New offers no
// AllowAddrs setting. So the instance-level redirect case here has a private
// first hop, refused before it can redirect: neither server is reached.
func TestSSRFRefusesPrivateActorURLs(t *testing.T) {
	inst := guardedInstance(t)
	sam := inst.CreateUser("sam", false)
	actorSrv := newHitCounter(t, actorServer)
	redirectSrv := newHitCounter(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, actorSrv.URL+r.URL.Path, http.StatusFound)
	})

	cases := []struct{ name, target, reason string }{
		{"loopback", actorSrv.URL + "/users/x", "loopback"},
		{"private network", "http://10.0.0.1/users/x", "private network"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "link-local"},
		{"private first hop of a redirect", redirectSrv.URL + "/users/x", "loopback"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := ssrfSnapshot(t, inst)
			start := time.Now()
			resp := inst.API("POST", "/api/v1/follows", sam.Token, map[string]string{"target": tc.target})
			wantRefusal(t, resp, http.StatusBadRequest, "refused to fetch "+tc.target)
			wantRefusal(t, resp, http.StatusBadRequest, tc.reason)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("the refusal took %v: the guard must act before connecting", took)
			}
			wantNothingNew(t, inst, before)
		})
	}
	if n := actorSrv.hits.Load() + redirectSrv.hits.Load(); n != 0 {
		t.Errorf("the loopback servers were reached %d times", n)
	}
}

// TestSSRFInboxKeyIDOnPrivateAddress: a signed inbox POST whose keyId (and
// actor) point at a private address is refused with 401 and the reason,
// and the key is never fetched.
func TestSSRFInboxKeyIDOnPrivateAddress(t *testing.T) {
	inst := guardedInstance(t)
	inst.CreateUser("sam", false)
	keySrv := newHitCounter(t, actorServer)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, actor := range []string{
		keySrv.URL + "/users/x",
		"http://10.0.0.1/users/x",
		"http://169.254.169.254/latest/meta-data/iam",
	} {
		for _, target := range []string{inst.URL + "/inbox", inst.URL + "/users/sam/inbox"} {
			t.Run(actor+" to "+target, func(t *testing.T) {
				body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow","id":"` +
					hostBase(t, actor) + `/activities/` + model.NewID() + `","actor":"` + actor +
					`","object":"` + inst.URL + `/users/sam"}`)
				before := ssrfSnapshot(t, inst)
				start := time.Now()
				resp := postInbox(t, target, activityJSON, body, body, signedBy(actor+"#main-key", key))
				wantRefusal(t, resp, http.StatusUnauthorized, "refused to fetch "+actor)
				if took := time.Since(start); took > 2*time.Second {
					t.Errorf("the refusal took %v: the guard must act before connecting", took)
				}
				wantNothingNew(t, inst, before)
			})
		}
	}
	if n := keySrv.hits.Load(); n != 0 {
		t.Errorf("the loopback key server was reached %d times", n)
	}
}

// TestSSRFRefusesPrivateObjectURLs: a boost of an object on a private
// address, from an actor the instance already knows. The Announce itself is
// well formed and correctly signed, so the inbox takes it (202); the object
// is dereferenced later, by the job, and that fetch is refused: no request
// leaves, no video and no boost is stored.
func TestSSRFRefusesPrivateObjectURLs(t *testing.T) {
	inst := guardedInstance(t)
	ctx := context.Background()
	objSrv := newHitCounter(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", activityJSON)
		fmt.Fprintf(w, `{"type":"Video","id":"http://%s%s"}`, r.Host, r.URL.Path)
	})

	// A remote actor known from before, so its key needs no fetch.
	privPEM, pubPEM, err := accounts.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	key, err := signing.ParsePrivateKeyPEM(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	const actor = "http://peer.example/users/mallory"
	now := time.Now().UTC()
	if _, err := inst.Store.UpsertRemoteAccount(ctx, &model.Account{
		ID: model.NewID(), Username: "mallory", Domain: "peer.example", URI: actor, InboxURI: actor + "/inbox",
		PublicKeyURI: actor + "#main-key", PublicKeyPEM: pubPEM, ActorType: "Person",
		CreatedAt: now, UpdatedAt: now, FetchedAt: now,
	}); err != nil {
		t.Fatal(err)
	}

	objects := []string{
		objSrv.URL + "/videos/1",
		"http://10.0.0.1/videos/1",
		"http://169.254.169.254/latest/meta-data/",
	}
	for _, obj := range objects {
		body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Announce","id":"http://peer.example/activities/` +
			model.NewID() + `","actor":"` + actor + `","object":"` + obj + `","to":["https://www.w3.org/ns/activitystreams#Public"]}`)
		wantAccepted(t, postInbox(t, inst.URL+"/inbox", activityJSON, body, body, signedBy(actor+"#main-key", key)), "an Announce of "+obj)
	}
	testrig.Eventually(t, settle, "the boosts were never processed", func() bool {
		return inst.Count("jobs", "kind = 'inbox' AND last_error LIKE '%refusing to connect%'") == len(objects)
	})
	if n := objSrv.hits.Load(); n != 0 {
		t.Errorf("the loopback object server was reached %d times", n)
	}
	for _, table := range []string{"videos", "reactions"} {
		if n := inst.Count(table, ""); n != 0 {
			t.Errorf("%d %s stored", n, table)
		}
	}
}

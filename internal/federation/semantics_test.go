package federation_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/signing"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/testrig"
)

// The inbox semantics: what each kind of activity does once it has been
// accepted, between real instances over real signed HTTP. Activities that
// Assay itself never sends (Reject, Flag, Delete{Person}, a Note with a
// video, a PeerTube Video, …) are crafted here, signed with the sender's key
// from its own instance's database, and POSTed like any server would.

const semWait = 10 * time.Second

const semAS = "https://www.w3.org/ns/activitystreams"

// semPair is two instances, alice on A and bob on B.
type semPair struct {
	a, b       *testrig.Instance
	alice, bob *testrig.User
}

func newSemPair(t *testing.T, bOpts ...testrig.Option) *semPair {
	t.Helper()
	p := &semPair{
		a: testrig.NewInstance(t, testrig.OnHost("127.0.0.1")),
		b: testrig.NewInstance(t, append([]testrig.Option{testrig.OnHost("127.0.0.2")}, bOpts...)...),
	}
	p.alice = p.a.CreateUser("alice", false)
	p.bob = p.b.CreateUser("bob", false)
	return p
}

// semKeyPEM reads an actor's private key from its own instance's store, so a
// rotated key is picked up.
func semKeyPEM(t *testing.T, home *testrig.Instance, actorURI string) string {
	t.Helper()
	acct, err := home.Store.AccountByURI(context.Background(), actorURI)
	if err != nil {
		t.Fatalf("sender %s on its home instance: %v", actorURI, err)
	}
	return acct.PrivateKeyPEM
}

// semRequest builds a POST of body to to+path, signed for actorURI with the
// private key in PEM.
func semRequest(t *testing.T, to *testrig.Instance, path, actorURI, keyPEM string, body []byte) *http.Request {
	t.Helper()
	key, err := signing.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, to.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := signing.SignPOST(req, body, actorURI+"#main-key", key); err != nil {
		t.Fatal(err)
	}
	return req
}

func semDo(t *testing.T, req *http.Request, body []byte) (int, string) {
	t.Helper()
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// semSend signs activity as its actor (key from home's store) and POSTs it
// to an inbox of to; it returns the status and body of the answer.
func semSend(t *testing.T, to *testrig.Instance, path string, home *testrig.Instance, activity map[string]any) (int, string) {
	t.Helper()
	actor, _ := activity["actor"].(string)
	body, err := json.Marshal(activity)
	if err != nil {
		t.Fatal(err)
	}
	return semDo(t, semRequest(t, to, path, actor, semKeyPEM(t, home, actor), body), body)
}

// semDeliver sends and requires the inbox's 202.
func semDeliver(t *testing.T, to *testrig.Instance, path string, home *testrig.Instance, activity map[string]any) {
	t.Helper()
	if status, body := semSend(t, to, path, home, activity); status != http.StatusAccepted {
		t.Fatalf("%v %v: want 202, got %d %s", activity["type"], activity["id"], status, body)
	}
}

// semProcessed waits until the inbox job for an activity id has run to its
// end, and fails the test if it failed.
func semProcessed(t *testing.T, inst *testrig.Instance, activityURI string) {
	t.Helper()
	ctx := context.Background()
	var job model.Job
	testrig.Eventually(t, semWait, "the inbox never finished processing "+activityURI, func() bool {
		var item model.InboxItem
		if err := inst.Store.DB().NewSelect().Model(&item).Where("uri = ?", activityURI).Scan(ctx); err != nil {
			return false
		}
		job = model.Job{}
		if err := inst.Store.DB().NewSelect().Model(&job).Where("kind = ? AND ref = ?", "inbox", item.ID).Scan(ctx); err != nil {
			return false
		}
		return job.State == model.JobDone || job.State == model.JobFailed
	})
	if job.State != model.JobDone {
		t.Fatalf("processing %s failed: %s", activityURI, job.LastError)
	}
}

func semCount(t *testing.T, inst *testrig.Instance, table, where string, args ...any) int {
	t.Helper()
	n, err := inst.Store.DB().NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return int(n)
}

// semFixture reads a document of ../shared/fixtures/activitypub with its
// hosts and ids rewritten (old, new pairs, longest first).
func semFixture(t *testing.T, rel string, oldnew ...string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "activitypub", rel))
	if err != nil {
		t.Fatalf("fixture %s: %v", rel, err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(strings.NewReplacer(oldnew...).Replace(string(raw))), &doc); err != nil {
		t.Fatalf("fixture %s: %v", rel, err)
	}
	return doc
}

// semFollowed makes from's user follow target (NAME@DOMAIN) and waits for
// the Accept.
func semFollowed(t *testing.T, from *testrig.Instance, u *testrig.User, target, targetURI string) {
	t.Helper()
	follow(t, from, u.Token, target)
	testrig.Eventually(t, semWait, u.Username+"'s follow of "+target+" was never accepted", func() bool {
		return followState(from, u, targetURI) == model.FollowAccepted
	})
}

func semVideo(t *testing.T, inst *testrig.Instance, id string) (videoJSON, int) {
	t.Helper()
	resp := inst.API("GET", "/api/v1/videos/"+id, "", nil)
	var v videoJSON
	if resp.StatusCode == http.StatusOK {
		resp.JSON(t, &v)
	}
	return v, resp.StatusCode
}

func semLike(id, actor, object string) map[string]any {
	return map[string]any{"@context": semAS, "id": id, "type": "Like", "actor": actor, "object": object}
}

// TestSemanticsManualApproval: alice approves her followers. bob@B's follow
// stays pending on both sides until alice authorizes it through the API;
// then B sees it accepted.
func TestSemanticsManualApproval(t *testing.T) {
	p := newSemPair(t)
	ctx := context.Background()
	if _, err := p.a.Store.DB().NewUpdate().Model((*model.Account)(nil)).Set("manually_approves_followers = TRUE").
		Where("id = ?", p.alice.AccountID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if state := follow(t, p.b, p.bob.Token, "alice@"+domainOf(p.a)); state != model.FollowPending {
		t.Fatalf("follow state on B: %q", state)
	}
	var requests []struct {
		ID      string `json:"id"`
		Account struct {
			Acct string `json:"acct"`
			URI  string `json:"uri"`
		} `json:"account"`
	}
	testrig.Eventually(t, semWait, "bob's request never reached alice's follow requests", func() bool {
		resp := p.a.API("GET", "/api/v1/follow_requests", p.alice.Token, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("follow_requests: %d %s", resp.StatusCode, resp.Body)
		}
		resp.JSON(t, &requests)
		return len(requests) == 1
	})
	if requests[0].Account.Acct != "bob@"+domainOf(p.b) || requests[0].Account.URI != p.bob.Account.URI {
		t.Fatalf("the request names %+v, not bob@B", requests[0].Account)
	}
	bobOnA, err := p.a.Store.AccountByURI(ctx, p.bob.Account.URI)
	if err != nil {
		t.Fatal(err)
	}
	if f, err := p.a.Store.FollowBetween(ctx, bobOnA.ID, p.alice.AccountID); err != nil || f.State != model.FollowPending {
		t.Fatalf("the follow on A: %+v, %v; want pending", f, err)
	}
	// Nothing was sent back: B's side is still pending a moment later.
	time.Sleep(500 * time.Millisecond)
	if n := semCount(t, p.a, "outbox_activities", "type = ?", "Accept"); n != 0 {
		t.Fatalf("A sent %d Accept before alice approved", n)
	}
	if s := followState(p.b, p.bob, p.alice.Account.URI); s != model.FollowPending {
		t.Fatalf("B's follow is %q before alice approved", s)
	}

	resp := p.a.API("POST", "/api/v1/follow_requests/"+requests[0].ID+"/authorize", p.alice.Token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: %d %s", resp.StatusCode, resp.Body)
	}
	testrig.Eventually(t, semWait, "B never saw the Accept after approval", func() bool {
		return followState(p.b, p.bob, p.alice.Account.URI) == model.FollowAccepted
	})
	if f, err := p.a.Store.FollowBetween(ctx, bobOnA.ID, p.alice.AccountID); err != nil || f.State != model.FollowAccepted {
		t.Fatalf("the follow on A after approval: %+v, %v", f, err)
	}
	p.a.API("GET", "/api/v1/follow_requests", p.alice.Token, nil).JSON(t, &requests)
	if len(requests) != 0 {
		t.Fatalf("follow requests after approval: %+v", requests)
	}
}

// TestSemanticsRejectFollow: a Reject{Follow} from alice removes bob's
// pending follow on B; the same Reject from someone else changes nothing.
func TestSemanticsRejectFollow(t *testing.T) {
	p := newSemPair(t)
	ctx := context.Background()
	carol := p.a.CreateUser("carol", false)
	if _, err := p.a.Store.DB().NewUpdate().Model((*model.Account)(nil)).Set("manually_approves_followers = TRUE").
		Where("id = ?", p.alice.AccountID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	follow(t, p.b, p.bob.Token, "alice@"+domainOf(p.a))
	testrig.Eventually(t, semWait, "A never stored bob's request", func() bool {
		return semCount(t, p.a, "follows", "target_account_id = ? AND state = ?", p.alice.AccountID, model.FollowPending) == 1
	})
	aliceOnB, err := p.b.Store.AccountByURI(ctx, p.alice.Account.URI)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := p.b.Store.FollowBetween(ctx, p.bob.AccountID, aliceOnB.ID)
	if err != nil {
		t.Fatal(err)
	}
	reject := func(actor string) map[string]any {
		return map[string]any{
			"@context": semAS, "id": p.a.URL + "/activities/" + model.NewID(), "type": "Reject", "actor": actor,
			"object": map[string]any{"id": fl.URI, "type": "Follow", "actor": p.bob.Account.URI, "object": p.alice.Account.URI},
		}
	}

	// carol cannot reject a follow of alice.
	byCarol := reject(carol.Account.URI)
	semDeliver(t, p.b, "/users/bob/inbox", p.a, byCarol)
	semProcessed(t, p.b, byCarol["id"].(string))
	if s := followState(p.b, p.bob, p.alice.Account.URI); s != model.FollowPending {
		t.Fatalf("a Reject by carol changed bob's follow of alice to %q", s)
	}

	byAlice := reject(p.alice.Account.URI)
	semDeliver(t, p.b, "/users/bob/inbox", p.a, byAlice)
	testrig.Eventually(t, semWait, "B never removed the rejected follow", func() bool {
		_, err := p.b.Store.FollowBetween(ctx, p.bob.AccountID, aliceOnB.ID)
		return errors.Is(err, store.ErrNotFound)
	})
}

// TestSemanticsKeyRotation: bob rotates his key on B and announces it with
// an Update{Person} signed by the new key. A fails with the cached key,
// refetches bob exactly once, accepts, applies the new display name, then
// accepts further activities signed with the new key without refetching —
// and no longer accepts the old key.
func TestSemanticsKeyRotation(t *testing.T) {
	countFetches, actorFetches := testrig.CountRequests("/users/bob") // only fetched: the inbox is /users/bob/inbox
	p := newSemPair(t, countFetches)
	ctx := context.Background()
	semFollowed(t, p.b, p.bob, "alice@"+domainOf(p.a), p.alice.Account.URI)
	v := p.a.PublishVideo(p.alice, testrig.VideoFixture{Title: "Before the rotation"})
	oldKeyPEM := semKeyPEM(t, p.b, p.bob.Account.URI)

	// Rotate on B.
	privPEM, pubPEM, err := accounts.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.b.Store.DB().NewUpdate().Model((*model.Account)(nil)).
		Set("public_key_pem = ?", pubPEM).Set("private_key_pem = ?", privPEM).
		Where("id = ?", p.bob.AccountID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, p.bob.Account.URI, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var person map[string]any
	err = json.NewDecoder(resp.Body).Decode(&person)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if pk, _ := person["publicKey"].(map[string]any); pk == nil || pk["publicKeyPem"] != pubPEM {
		t.Fatalf("B does not serve the new key: %v", person["publicKey"])
	}
	personContext := person["@context"]
	delete(person, "@context")
	person["name"] = "Bob Rotated"

	before := actorFetches.Load()
	update := map[string]any{
		"@context": personContext, "id": p.bob.Account.URI + "#updates/" + model.NewID(), "type": "Update",
		"actor": p.bob.Account.URI, "to": []string{semAS + "#Public"}, "object": person,
	}
	semDeliver(t, p.a, "/inbox", p.b, update)
	if n := actorFetches.Load() - before; n != 1 {
		t.Fatalf("A fetched bob's actor %d times to verify the rotated key; want exactly 1", n)
	}
	semProcessed(t, p.a, update["id"].(string))
	var acct struct {
		DisplayName string `json:"display_name"`
		URI         string `json:"uri"`
	}
	testrig.Eventually(t, semWait, "A never showed bob's new display name", func() bool {
		resp := p.a.API("GET", "/api/v1/accounts/bob@"+domainOf(p.b), "", nil)
		resp.JSON(t, &acct)
		return acct.DisplayName == "Bob Rotated"
	})
	if acct.URI != p.bob.Account.URI {
		t.Fatalf("account on A: %+v", acct)
	}
	if stored, _ := p.a.Store.AccountByURI(ctx, p.bob.Account.URI); stored == nil || stored.PublicKeyPEM != pubPEM {
		t.Fatal("A does not hold bob's new public key")
	}

	// The old key is refused now.
	oldLike := semLike(p.bob.Account.URI+"#likes/"+model.NewID(), p.bob.Account.URI, v.URI)
	body, _ := json.Marshal(oldLike)
	if status, answer := semDo(t, semRequest(t, p.a, "/inbox", p.bob.Account.URI, oldKeyPEM, body), body); status != http.StatusUnauthorized {
		t.Fatalf("a Like signed with the retired key: want 401, got %d %s", status, answer)
	}

	// The new key works without another fetch.
	before = actorFetches.Load()
	semDeliver(t, p.a, "/users/alice/inbox", p.b, semLike(p.bob.Account.URI+"#likes/"+model.NewID(), p.bob.Account.URI, v.URI))
	if n := actorFetches.Load() - before; n != 0 {
		t.Fatalf("A fetched bob %d more times for a Like signed with the key it already has", n)
	}
	testrig.Eventually(t, semWait, "A never counted the Like signed with the new key", func() bool {
		got, _ := semVideo(t, p.a, v.ID)
		return got.Likes == 1
	})
}

// TestSemanticsDeletePerson: bob deletes himself; A removes his account and
// everything he made or did there.
func TestSemanticsDeletePerson(t *testing.T) {
	p := newSemPair(t)
	ctx := context.Background()
	follow(t, p.b, p.bob.Token, "alice@"+domainOf(p.a))
	follow(t, p.a, p.alice.Token, "bob@"+domainOf(p.b))
	testrig.Eventually(t, semWait, "the follows were never accepted", func() bool {
		return followState(p.b, p.bob, p.alice.Account.URI) == model.FollowAccepted &&
			followState(p.a, p.alice, p.bob.Account.URI) == model.FollowAccepted
	})

	v := p.a.PublishVideo(p.alice, testrig.VideoFixture{Title: "Alice's clip"})
	var onB *videoJSON
	testrig.Eventually(t, semWait, "alice's video never reached B", func() bool {
		onB = findByURI(timeline(t, p.b, "home", p.bob.Token), v.URI)
		return onB != nil
	})
	p.b.API("POST", "/api/v1/videos/"+onB.ID+"/like", p.bob.Token, nil)
	p.b.API("POST", "/api/v1/videos/"+onB.ID+"/comments", p.bob.Token, map[string]string{"text": "Lovely"})
	bv := p.b.PublishVideo(p.bob, testrig.VideoFixture{Title: "Bob's clip"})
	var bobsOnA *videoJSON
	// Wait for the rows, not the counters: a like and a comment processed
	// at the same moment can leave a counter stale on PostgreSQL (see
	// TestSemanticsConcurrentCounters); the deletion recounts anyway.
	testrig.Eventually(t, semWait, "bob's like, comment and video never reached A", func() bool {
		bobsOnA = findByURI(timeline(t, p.a, "home", p.alice.Token), bv.URI)
		return bobsOnA != nil && semCount(t, p.a, "reactions", "video_id = ?", v.ID) == 1 &&
			semCount(t, p.a, "comments", "video_id = ?", v.ID) == 1
	})
	bobOnA, err := p.a.Store.AccountByURI(ctx, p.bob.Account.URI)
	if err != nil {
		t.Fatal(err)
	}

	del := semFixture(t, "mastodon/mastodon-delete-user.json", "https://mastodon.local/users/deleted", p.bob.Account.URI)
	semDeliver(t, p.a, "/inbox", p.b, del)
	testrig.Eventually(t, semWait, "A never removed bob's account", func() bool {
		_, err := p.a.Store.AccountByURI(ctx, p.bob.Account.URI)
		return errors.Is(err, store.ErrNotFound)
	})
	for _, c := range []struct{ table, where string }{
		{"follows", "account_id = ? OR target_account_id = ?"},
		{"reactions", "account_id = ? OR account_id = ?"},
		{"comments", "account_id = ? OR account_id = ?"},
		{"videos", "account_id = ? OR account_id = ?"},
	} {
		if n := semCount(t, p.a, c.table, c.where, bobOnA.ID, bobOnA.ID); n != 0 {
			t.Errorf("%d %s rows of bob remain on A", n, c.table)
		}
	}
	if _, status := semVideo(t, p.a, bobsOnA.ID); status != http.StatusNotFound {
		t.Errorf("bob's video on A answers %d, want 404", status)
	}
	if got, _ := semVideo(t, p.a, v.ID); got.Likes != 0 || got.Comments != 0 {
		t.Errorf("alice's video still counts bob: likes %d comments %d", got.Likes, got.Comments)
	}
	if comments := p.a.API("GET", "/api/v1/videos/"+v.ID+"/comments", "", nil); string(bytes.TrimSpace(comments.Body)) != "[]" {
		t.Errorf("alice's video still lists comments: %s", comments.Body)
	}
	for _, kind := range []string{"home", "federated"} {
		if findByURI(timeline(t, p.a, kind, p.alice.Token), bv.URI) != nil {
			t.Errorf("bob's video is still in A's %s timeline", kind)
		}
	}
	if n := semCount(t, p.a, "follows", "account_id = ?", p.alice.AccountID); n != 0 {
		t.Errorf("alice still follows %d accounts", n)
	}
}

// TestSemanticsFlag: a Flag naming alice and her video becomes a report
// against alice listing the video; one naming only her video too; one naming
// nothing of A's is dropped.
func TestSemanticsFlag(t *testing.T) {
	p := newSemPair(t)
	ctx := context.Background()
	v := p.a.PublishVideo(p.alice, testrig.VideoFixture{Title: "Reported clip"})
	bobURI := p.bob.Account.URI
	flag := func(objects ...string) map[string]any {
		f := semFixture(t, "mastodon/lemmy-activities-flag.json",
			"https://mastodon.example/ccb4f39a-506a-490e-9a8c-71831c7713a4", p.b.URL+"/flags/"+model.NewID(),
			"https://mastodon.example/actor", bobURI)
		f["object"], f["to"] = objects, objects[0]
		return f
	}

	elsewhere := flag(p.b.URL+"/users/carol", p.b.URL+"/videos/"+model.NewID())
	semDeliver(t, p.a, "/inbox", p.b, elsewhere)
	semProcessed(t, p.a, elsewhere["id"].(string))
	if n := semCount(t, p.a, "reports", "1 = 1"); n != 0 {
		t.Fatalf("a Flag of nothing on A stored %d reports", n)
	}

	both := flag(p.alice.Account.URI, v.URI)
	videoOnly := flag(v.URI)
	semDeliver(t, p.a, "/inbox", p.b, both)
	semDeliver(t, p.a, "/inbox", p.b, videoOnly)
	semProcessed(t, p.a, both["id"].(string))
	semProcessed(t, p.a, videoOnly["id"].(string))

	bobOnA, err := p.a.Store.AccountByURI(ctx, bobURI)
	if err != nil {
		t.Fatal(err)
	}
	reports, err := p.a.Store.Reports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(reports) != 2 {
		t.Fatalf("want 2 reports, got %d", len(reports))
	}
	for _, r := range reports {
		var objects []string
		if err := json.Unmarshal([]byte(r.ObjectURIs), &objects); err != nil {
			t.Fatalf("object_uris %q: %v", r.ObjectURIs, err)
		}
		if r.URI != both["id"] && r.URI != videoOnly["id"] {
			t.Errorf("a report for %s", r.URI)
		}
		if r.AccountID != bobOnA.ID || r.TargetAccountID != p.alice.AccountID {
			t.Errorf("report %s: reporter %s target %s; want bob %s and alice %s", r.URI, r.AccountID, r.TargetAccountID, bobOnA.ID, p.alice.AccountID)
		}
		if len(objects) != 1 || objects[0] != v.URI {
			t.Errorf("report %s objects %v; want [%s]", r.URI, objects, v.URI)
		}
		if !strings.Contains(r.Content, "Please take a look at this user and their posts") {
			t.Errorf("report %s content %q", r.URI, r.Content)
		}
	}
}

// TestSemanticsReply: a Mastodon Create{Note} replying to alice's video
// becomes a comment on A, with its HTML sanitized.
func TestSemanticsReply(t *testing.T) {
	p := newSemPair(t)
	v := p.a.PublishVideo(p.alice, testrig.VideoFixture{Title: "Comment on me"})
	bobURI, aliceURI := p.bob.Account.URI, p.alice.Account.URI
	status := model.NewID()
	create := semFixture(t, "mastodon/lemmy-activities-create-note.json",
		"https://mamot.fr/users/retiolus/statuses/107224244380204526", v.URI,
		"https://mamot.fr/users/retiolus", aliceURI,
		"https://mamot.fr/@retiolus", p.a.URL+"/@alice",
		"@retiolus@mamot.fr", "@alice@"+domainOf(p.a),
		"https://mastodon.madrid/users/felix", bobURI,
		"https://mastodon.madrid/@felix", p.b.URL+"/@bob",
		"107224289116410645", status,
		"tag:mamot.fr", "tag:"+domainOf(p.b),
	)
	note := create["object"].(map[string]any)
	note["content"] = `<p>Lovely light <a href="javascript:alert(2)">here</a></p><script>alert(1)</script><img src=x onerror="alert(3)">`
	delete(note, "contentMap")
	semDeliver(t, p.a, "/users/alice/inbox", p.b, create)

	var comments []struct {
		URI     string `json:"uri"`
		Content string `json:"content"`
		Account struct {
			Acct string `json:"acct"`
		} `json:"account"`
	}
	testrig.Eventually(t, semWait, "the reply never became a comment on A", func() bool {
		p.a.API("GET", "/api/v1/videos/"+v.ID+"/comments", "", nil).JSON(t, &comments)
		return len(comments) == 1
	})
	c := comments[0]
	if c.URI != note["id"] || c.Account.Acct != "bob@"+domainOf(p.b) {
		t.Errorf("comment %+v; want %s by bob@B", c, note["id"])
	}
	if !strings.Contains(c.Content, "Lovely light") {
		t.Errorf("the comment lost its text: %q", c.Content)
	}
	for _, bad := range []string{"<script", "alert(1)", "javascript:", "onerror", "<img"} {
		if strings.Contains(c.Content, bad) {
			t.Errorf("the comment kept %q: %q", bad, c.Content)
		}
	}
	if got, _ := semVideo(t, p.a, v.ID); got.Comments != 1 {
		t.Errorf("alice's video counts %d comments", got.Comments)
	}
}

// TestSemanticsNoteWithVideo: Loops- and Mastodon-shaped Notes with an MP4
// attachment from an account alice follows land in her home timeline with
// the MP4 as media; the same from an account nobody on A follows is not
// stored.
func TestSemanticsNoteWithVideo(t *testing.T) {
	p := newSemPair(t)
	ctx := context.Background()
	carol := p.b.CreateUser("carol", false)
	semFollowed(t, p.a, p.alice, "bob@"+domainOf(p.b), p.bob.Account.URI)

	loops := func(actorURI string) (map[string]any, string, string) {
		post := model.NewID()
		c := semFixture(t, "loops/create-note-video.json",
			"https://loops.example.com/users/alice", actorURI,
			"https://loops.example.com/posts/123", p.b.URL+"/posts/"+post,
			"https://loops.example.com/storage/videos/123.mp4", p.b.URL+"/storage/videos/"+post+".mp4",
		)
		// Loops' documentation example has no id and no addressing; a real
		// public post has both (without "to" it would be stored as private).
		c["id"] = p.b.URL + "/posts/" + post + "/activity"
		to, cc := []string{semAS + "#Public"}, []string{actorURI + "/followers"}
		c["to"], c["cc"] = to, cc
		note := c["object"].(map[string]any)
		note["to"], note["cc"] = to, cc
		return c, p.b.URL + "/posts/" + post, p.b.URL + "/storage/videos/" + post + ".mp4"
	}
	fromBob, bobPost, bobMP4 := loops(p.bob.Account.URI)
	semDeliver(t, p.a, "/inbox", p.b, fromBob)

	status := model.NewID()
	emelie := semFixture(t, "mastodon/note-with-video-attachment.emelie.json",
		"https://mocked.local/users/emelie/statuses/101849165031453009", p.bob.Account.URI+"/statuses/"+status,
		"https://mocked.local/users/emelie", p.bob.Account.URI,
		"https://mocked.local/@emelie/101849165031453009", p.b.URL+"/@bob/"+status,
		"https://files.mocked.local/media_attachments/files/013/049/816/original/e7831178a5e0d6d4.mp4", p.b.URL+"/media/"+status+".mp4",
		"https://mocked.local", p.b.URL,
	)
	noteContext := emelie["@context"]
	delete(emelie, "@context")
	mastodon := map[string]any{
		"@context": noteContext, "id": emelie["id"].(string) + "/activity", "type": "Create", "actor": p.bob.Account.URI,
		"published": emelie["published"], "to": emelie["to"], "cc": emelie["cc"], "object": emelie,
	}
	semDeliver(t, p.a, "/users/alice/inbox", p.b, mastodon)

	var home []videoJSON
	testrig.Eventually(t, semWait, "bob's video notes never reached alice's home timeline", func() bool {
		home = timeline(t, p.a, "home", p.alice.Token)
		return findByURI(home, bobPost) != nil && findByURI(home, emelie["id"].(string)) != nil
	})
	for uri, mp4 := range map[string]string{bobPost: bobMP4, emelie["id"].(string): p.b.URL + "/media/" + status + ".mp4"} {
		got := findByURI(home, uri)
		if got.Local || got.Account.Acct != "bob@"+domainOf(p.b) || len(got.Media) != 1 ||
			got.Media[0].URL != mp4 || got.Media[0].MimeType != "video/mp4" {
			t.Errorf("the video note %s on A: %+v", uri, got)
		}
	}

	fromCarol, carolPost, _ := loops(carol.Account.URI)
	semDeliver(t, p.a, "/inbox", p.b, fromCarol)
	semProcessed(t, p.a, fromCarol["id"].(string))
	if _, err := p.a.Store.VideoByURI(ctx, carolPost); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a video note from an account nobody here follows was stored (err %v)", err)
	}
	if findByURI(timeline(t, p.a, "federated", ""), carolPost) != nil {
		t.Fatal("carol's unfollowed video note is in A's federated timeline")
	}
}

// TestSemanticsPeerTubeVideo: a PeerTube-shaped Create{Video} from an
// account alice follows is stored with its duration and an MP4 to play.
func TestSemanticsPeerTubeVideo(t *testing.T) {
	p := newSemPair(t)
	semFollowed(t, p.a, p.alice, "bob@"+domainOf(p.b), p.bob.Account.URI)
	uuid := model.NewID()
	video := semFixture(t, "peertube/video.tilvids.json",
		"https://tilvids.com/accounts/thelinuxexperiment/followers", p.bob.Account.FollowersURI,
		"https://tilvids.com/accounts/thelinuxexperiment", p.bob.Account.URI,
		"e7946124-7b72-4ad7-9d22-844a84bb2de1", uuid,
		"https://tilvids.com", p.b.URL,
	)
	videoContext := video["@context"]
	delete(video, "@context")
	create := map[string]any{
		"@context": videoContext, "id": video["id"].(string) + "/activity", "type": "Create", "actor": p.bob.Account.URI,
		"to": video["to"], "cc": video["cc"], "object": video,
	}
	semDeliver(t, p.a, "/inbox", p.b, create)

	var got *videoJSON
	testrig.Eventually(t, semWait, "the PeerTube video never reached alice's home timeline", func() bool {
		got = findByURI(timeline(t, p.a, "home", p.alice.Token), video["id"].(string))
		return got != nil
	})
	var full struct {
		videoJSON
		DurationSeconds float64 `json:"duration_seconds"`
	}
	p.a.API("GET", "/api/v1/videos/"+got.ID, "", nil).JSON(t, &full)
	if full.DurationSeconds != 1145 {
		t.Errorf("duration %v s; want 1145", full.DurationSeconds)
	}
	if full.Title != video["name"] {
		t.Errorf("title %q", full.Title)
	}
	if len(full.Media) == 0 || full.Media[0].MimeType != "video/mp4" || !strings.HasSuffix(full.Media[0].URL, ".mp4") ||
		!strings.HasPrefix(full.Media[0].URL, p.b.URL+"/static/streaming-playlists/hls/"+uuid+"/") {
		t.Errorf("no playable MP4 first among the media: %+v", full.Media)
	}
}

// TestSemanticsSilence: once A silences B, bob's new video still reaches
// alice's home timeline but stays out of A's federated timeline.
func TestSemanticsSilence(t *testing.T) {
	p := newSemPair(t)
	semFollowed(t, p.a, p.alice, "bob@"+domainOf(p.b), p.bob.Account.URI)
	before := p.b.PublishVideo(p.bob, testrig.VideoFixture{Title: "Before the silence"})
	testrig.Eventually(t, semWait, "bob's first video never reached A's federated timeline", func() bool {
		return findByURI(timeline(t, p.a, "federated", ""), before.URI) != nil
	})
	if _, err := p.a.Federation.BlockDomain(context.Background(), domainOf(p.b), model.BlockSilence, ""); err != nil {
		t.Fatal(err)
	}
	after := p.b.PublishVideo(p.bob, testrig.VideoFixture{Title: "After the silence"})
	testrig.Eventually(t, semWait, "bob's video never reached alice's home timeline under silence", func() bool {
		return findByURI(timeline(t, p.a, "home", p.alice.Token), after.URI) != nil
	})
	federated := timeline(t, p.a, "federated", p.alice.Token)
	for _, v := range []*model.Video{before, after} {
		if findByURI(federated, v.URI) != nil {
			t.Errorf("%q of a silenced domain is in A's federated timeline", v.Title)
		}
	}
}

// TestSemanticsUnknownActivities: Block and Move are answered 202 and not
// stored; an Accept of a Like (not a Follow) is processed with no effect.
func TestSemanticsUnknownActivities(t *testing.T) {
	p := newSemPair(t)
	ctx := context.Background()
	semFollowed(t, p.a, p.alice, "bob@"+domainOf(p.b), p.bob.Account.URI)
	bobURI := p.bob.Account.URI

	for _, act := range []map[string]any{
		{"@context": semAS, "id": bobURI + "#blocks/" + model.NewID(), "type": "Block", "actor": bobURI, "object": p.alice.Account.URI},
		{"@context": semAS, "id": bobURI + "#moves/" + model.NewID(), "type": "Move", "actor": bobURI, "object": bobURI, "target": p.b.URL + "/users/bob2"},
	} {
		semDeliver(t, p.a, "/inbox", p.b, act)
		if n := semCount(t, p.a, "inbox_items", "uri = ?", act["id"]); n != 0 {
			t.Errorf("a %s was stored", act["type"])
		}
	}

	// alice likes bob's video; bob "accepts" that Like.
	bv := p.b.PublishVideo(p.bob, testrig.VideoFixture{Title: "Likeable"})
	var onA *videoJSON
	testrig.Eventually(t, semWait, "bob's video never reached A", func() bool {
		onA = findByURI(timeline(t, p.a, "home", p.alice.Token), bv.URI)
		return onA != nil
	})
	if resp := p.a.API("POST", "/api/v1/videos/"+onA.ID+"/like", p.alice.Token, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("like: %d %s", resp.StatusCode, resp.Body)
	}
	var like model.OutboxActivity
	if err := p.a.Store.DB().NewSelect().Model(&like).Where("type = ?", "Like").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	follows := semCount(t, p.a, "follows", "1 = 1")
	accept := map[string]any{"@context": semAS, "id": bobURI + "#accepts/" + model.NewID(), "type": "Accept", "actor": bobURI, "object": like.URI}
	semDeliver(t, p.a, "/users/alice/inbox", p.b, accept)
	semProcessed(t, p.a, accept["id"].(string))
	if n := semCount(t, p.a, "follows", "1 = 1"); n != follows {
		t.Errorf("follows went from %d to %d", follows, n)
	}
	if s := followState(p.a, p.alice, bobURI); s != model.FollowAccepted {
		t.Errorf("alice's follow of bob is now %q", s)
	}
	if got, _ := semVideo(t, p.a, onA.ID); got.Likes != 1 {
		t.Errorf("likes %d after an Accept of the Like; want 1", got.Likes)
	}
}

// TestSemanticsReplay: the same signed Like delivered twice (byte for byte,
// same signature) is answered 202 both times and counted once; a second Like
// by the same actor under a new id is not a second like either.
func TestSemanticsReplay(t *testing.T) {
	p := newSemPair(t)
	v := p.a.PublishVideo(p.alice, testrig.VideoFixture{Title: "Like me once"})
	bobURI := p.bob.Account.URI
	like := semLike(bobURI+"#likes/"+model.NewID(), bobURI, v.URI)
	body, _ := json.Marshal(like)
	req := semRequest(t, p.a, "/users/alice/inbox", bobURI, semKeyPEM(t, p.b, bobURI), body)
	for i := range 2 {
		again := req.Clone(context.Background())
		if status, answer := semDo(t, again, body); status != http.StatusAccepted {
			t.Fatalf("delivery %d: %d %s", i+1, status, answer)
		}
	}
	semProcessed(t, p.a, like["id"].(string))
	if n := semCount(t, p.a, "inbox_items", "uri = ?", like["id"]); n != 1 {
		t.Errorf("the replayed Like is stored %d times", n)
	}
	second := semLike(bobURI+"#likes/"+model.NewID(), bobURI, v.URI)
	semDeliver(t, p.a, "/inbox", p.b, second)
	semProcessed(t, p.a, second["id"].(string))
	if got, _ := semVideo(t, p.a, v.ID); got.Likes != 1 {
		t.Fatalf("likes %d; want 1", got.Likes)
	}
	if n := semCount(t, p.a, "reactions", "video_id = ?", v.ID); n != 1 {
		t.Fatalf("%d reaction rows", n)
	}
}

// TestSemanticsConcurrentCounters: likes and replies from several accounts
// arriving at the same moment are all counted — the video's counters match
// its reaction and comment rows.
func TestSemanticsConcurrentCounters(t *testing.T) {
	p := newSemPair(t)
	v := p.a.PublishVideo(p.alice, testrig.VideoFixture{Title: "Busy clip"})
	senders := []*testrig.User{p.bob}
	for _, name := range []string{"carol", "dave", "erin", "frank", "grace", "heidi", "ivan"} {
		senders = append(senders, p.b.CreateUser(name, false))
	}
	type delivery struct {
		req  *http.Request
		body []byte
	}
	var deliveries []delivery
	for _, u := range senders {
		actor := u.Account.URI
		note := model.NewID()
		for _, act := range []map[string]any{
			semLike(actor+"#likes/"+model.NewID(), actor, v.URI),
			{
				"@context": semAS, "id": actor + "/statuses/" + note + "/activity", "type": "Create", "actor": actor,
				"to": []string{semAS + "#Public"}, "cc": []string{p.alice.Account.URI},
				"object": map[string]any{
					"id": actor + "/statuses/" + note, "type": "Note", "attributedTo": actor, "inReplyTo": v.URI,
					"content": "<p>Reply from " + u.Username + "</p>", "to": []string{semAS + "#Public"}, "cc": []string{p.alice.Account.URI},
				},
			},
		} {
			body, _ := json.Marshal(act)
			deliveries = append(deliveries, delivery{semRequest(t, p.a, "/inbox", actor, semKeyPEM(t, p.b, actor), body), body})
		}
	}
	// Make A know every sender first, so the deliveries below are not
	// serialized by actor fetches.
	for _, u := range senders {
		if _, err := p.a.Federation.ResolveActor(context.Background(), u.Username+"@"+domainOf(p.b)); err != nil {
			t.Fatalf("resolving %s: %v", u.Username, err)
		}
	}
	statuses := make([]int, len(deliveries))
	var wg sync.WaitGroup
	for i, d := range deliveries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d.req.Body = io.NopCloser(bytes.NewReader(d.body))
			resp, err := http.DefaultClient.Do(d.req)
			if err != nil {
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusAccepted {
			t.Fatalf("delivery %d answered %d", i, s)
		}
	}
	n := len(senders)
	testrig.Eventually(t, semWait, "not every like and reply was stored", func() bool {
		return semCount(t, p.a, "reactions", "video_id = ?", v.ID) == n && semCount(t, p.a, "comments", "video_id = ?", v.ID) == n
	})
	// The rows are all there; the counters must say so. (On PostgreSQL two
	// transactions recounting the same video at once can each write a count
	// that misses the other's row: store.Recount's subqueries read the
	// snapshot taken before the row lock was granted.)
	deadline := time.Now().Add(2 * time.Second)
	for {
		got, _ := semVideo(t, p.a, v.ID)
		if got.Likes == n && got.Comments == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d like and %d comment rows, but the video counts %d likes and %d comments", n, n, got.Likes, got.Comments)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

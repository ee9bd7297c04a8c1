package web_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

// What the watch page and a profile show of the social side, read from the
// parsed HTML.

// buttons are the labels of the submit buttons of forms posting to action.
func (p *page) buttons(action string) []string {
	var out []string
	for _, f := range find(p.root, element("form", "")) {
		if a, _ := attr(f, "action"); a != action {
			continue
		}
		for _, b := range find(f, element("button", "")) {
			out = append(out, textOf(b))
		}
	}
	return out
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id }
}

// text is everything the page says, in one line.
func (p *page) text() string { return textOf(p.root) }

type shownComment struct {
	Author string
	Body   string
	Bold   bool // the body holds a <b>: markup was not escaped
}

func (p *page) comments() []shownComment {
	var out []shownComment
	for _, li := range find(p.root, element("li", "comment")) {
		var c shownComment
		if a := first(li, element("a", "")); a != nil {
			c.Author = textOf(a)
		}
		if body := first(li, element("div", "comment-body")); body != nil {
			c.Body = textOf(body)
			c.Bold = first(body, element("b", "")) != nil
		}
		out = append(out, c)
	}
	return out
}

func (p *page) counts() string {
	if c := first(p.root, element("p", "counts")); c != nil {
		return textOf(c)
	}
	return ""
}

// pageOK loads a page that must answer 200 with well-formed HTML.
func pageOK(t *testing.T, b *testrig.Browser, path string) *page {
	t.Helper()
	resp := b.Get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d: %s", path, resp.StatusCode, resp.Body)
	}
	for _, problem := range checkHTML(resp.Body) {
		t.Errorf("%s: %s", path, problem)
	}
	return parsePage(t, resp.Body)
}

// wantRedirect checks a form answered 303 to a given place.
func wantRedirect(t *testing.T, what string, resp *testrig.Response, location string) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != location {
		t.Fatalf("%s: %d to %q, want 303 to %q (%s)", what, resp.StatusCode, resp.Header.Get("Location"), location, resp.Body)
	}
}

func videoCounts(t *testing.T, inst *testrig.Instance, id string) (likes, boosts, comments int) {
	t.Helper()
	var v struct{ Likes, Boosts, Comments int }
	inst.API("GET", "/api/v1/videos/"+id, "", nil).JSON(t, &v)
	return v.Likes, v.Boosts, v.Comments
}

// Liking, boosting and commenting from the watch page: plain forms with a
// CSRF token that come back to the page, which then shows what the viewer
// did; a visitor sees the counts and a way to log in instead of the forms.
func TestLikeBoostAndCommentOnTheWatchPage(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	alice, bob := users.Admin, users.User
	v := inst.PublishVideo(alice, testrig.VideoFixture{Title: "Harbour at dawn"})
	watch := "/videos/" + v.ID

	visitor := inst.Browser()
	p := pageOK(t, visitor, watch)
	if got := p.counts(); got != "0 likes · 0 boosts · 0 comments" {
		t.Errorf("a visitor sees the counts %q", got)
	}
	if !linksTo(p, "/login?next=%2Fvideos%2F"+v.ID) {
		t.Error("a visitor is not offered to log in to like or comment")
	}
	if len(p.buttons(watch+"/like")) != 0 || first(p.root, byID("comment-text")) != nil {
		t.Error("a visitor is shown the like or comment forms")
	}
	if !strings.Contains(p.text(), "No comments yet.") {
		t.Error("an empty thread does not say so")
	}
	// A visitor's forms (with a valid token of their own) lead to the login
	// form, and back to the clip after.
	resp := visitor.Submit("/login", watch+"/like", url.Values{})
	wantRedirect(t, "liking while logged out", resp, "/login?next=%2Fvideos%2F"+v.ID)
	resp = visitor.Submit("/login", watch+"/comments", url.Values{"text": {"hello"}})
	wantRedirect(t, "commenting while logged out", resp, "/login?next=%2Fvideos%2F"+v.ID)

	b := inst.Browser()
	b.Login(bob)
	for _, action := range []string{"/like", "/boost", "/unlike", "/unboost", "/comments"} {
		if resp := b.Post(watch+action, url.Values{"text": {"forged"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without a CSRF token: %d, want 403", action, resp.StatusCode)
		}
	}
	if l, bo, c := videoCounts(t, inst, v.ID); l+bo+c != 0 {
		t.Fatalf("forms without a token changed the clip: %d likes, %d boosts, %d comments", l, bo, c)
	}

	p = pageOK(t, b, watch)
	if got := p.buttons(watch + "/like"); len(got) != 1 || got[0] != "Like" {
		t.Fatalf("the like form shows %v", got)
	}
	wantRedirect(t, "like", b.Submit(watch, watch+"/like", url.Values{}), watch+"#reactions")
	wantRedirect(t, "boost", b.Submit(watch, watch+"/boost", url.Values{}), watch+"#reactions")
	p = pageOK(t, b, watch)
	if got := p.buttons(watch + "/unlike"); len(got) != 1 || got[0] != "Unlike" {
		t.Errorf("after liking, the page offers %v, want Unlike", got)
	}
	if got := p.buttons(watch + "/unboost"); len(got) != 1 || got[0] != "Unboost" {
		t.Errorf("after boosting, the page offers %v, want Unboost", got)
	}
	if got := p.counts(); got != "1 like · 1 boost · 0 comments" {
		t.Errorf("after liking and boosting the counts say %q", got)
	}
	// Another viewer sees the counts but not bob's buttons' state.
	if got := pageOK(t, visitor, watch).counts(); got != "1 like · 1 boost · 0 comments" {
		t.Errorf("a visitor sees %q", got)
	}
	wantRedirect(t, "unlike", b.Submit(watch, watch+"/unlike", url.Values{}), watch+"#reactions")
	if l, bo, _ := videoCounts(t, inst, v.ID); l != 0 || bo != 1 {
		t.Errorf("after unliking: %d likes, %d boosts, want 0 and 1", l, bo)
	}

	// Comments: what is typed is text, never markup.
	resp = b.Submit(watch, watch+"/comments", url.Values{"text": {"  <b>Lovely</b> light & calm water  "}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), watch+"#comment-") {
		t.Fatalf("comment: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	p = pageOK(t, b, watch)
	got := p.comments()
	if len(got) != 1 || got[0].Author != "bob" || got[0].Body != "<b>Lovely</b> light & calm water" || got[0].Bold {
		t.Errorf("the thread shows %+v", got)
	}
	if first(p.root, byID(strings.TrimPrefix(resp.Header.Get("Location"), watch+"#"))) == nil {
		t.Error("the comment the form leads back to has no anchor on the page")
	}
	for _, bad := range []string{"   ", strings.Repeat("x", 5001)} {
		resp := b.Submit(watch, watch+"/comments", url.Values{"text": {bad}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), "1 to 5000 characters") {
			t.Errorf("a comment of %d characters: %d", len(bad), resp.StatusCode)
		}
	}
	if _, _, c := videoCounts(t, inst, v.ID); c != 1 {
		t.Errorf("the clip has %d comments, want 1", c)
	}

	// No such clip, and a clip still processing that only its author may see.
	for _, action := range []string{"/like", "/comments"} {
		resp := b.Submit(watch, "/videos/01NOSUCHCLIP"+action, url.Values{"text": {"hi"}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s on a clip that does not exist: %d, want 404", action, resp.StatusCode)
		}
	}
	hidden := inst.PublishVideo(alice, testrig.VideoFixture{Title: "Unfinished"})
	if _, err := inst.Store.DB().NewUpdate().Model((*model.Video)(nil)).Set("state = ?", model.VideoProcessing).
		Where("id = ?", hidden.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp := b.Submit(watch, "/videos/"+hidden.ID+"/like", url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("liking a clip that is still processing: %d, want 404", resp.StatusCode)
	}
}

// A profile's follow button, for a local account: Follow, then Unfollow;
// none on one's own page; a visitor gets the "follow from your own server"
// box and a login link instead.
func TestFollowButtonOnProfiles(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	alice, bob := users.Admin, users.User

	visitor := inst.Browser()
	p := pageOK(t, visitor, "/@alice")
	if len(p.buttons("/follow")) != 0 {
		t.Error("a visitor is shown the follow button")
	}
	if len(p.buttons("/remote_follow")) != 1 || !linksTo(p, "/login?next=%2F%40alice") {
		t.Error("a visitor is not offered to follow from their own server or to log in")
	}
	resp := visitor.Submit("/@alice", "/follow", url.Values{"account": {"alice"}})
	wantRedirect(t, "following while logged out", resp, "/login?next=%2F%40alice")

	b := inst.Browser()
	b.Login(bob)
	if resp := b.Post("/follow", url.Values{"account": {"alice"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("follow without a CSRF token: %d, want 403", resp.StatusCode)
	}
	p = pageOK(t, b, "/@alice")
	if got := p.buttons("/follow"); len(got) != 1 || got[0] != "Follow" {
		t.Fatalf("bob sees the follow form %v on alice's page", got)
	}
	if len(p.buttons("/remote_follow")) != 0 {
		t.Error("a logged-in viewer is offered to follow from another server")
	}
	wantRedirect(t, "follow", b.Submit("/@alice", "/follow", url.Values{"account": {"alice"}}), "/@alice")
	p = pageOK(t, b, "/@alice")
	if got := p.buttons("/unfollow"); len(got) != 1 || got[0] != "Unfollow" || !strings.Contains(p.text(), "You follow them.") {
		t.Errorf("after following, alice's page offers %v", got)
	}
	if f, err := inst.Store.FollowBetween(context.Background(), bob.AccountID, alice.AccountID); err != nil || f.State != model.FollowAccepted {
		t.Errorf("bob's follow of alice: %+v %v", f, err)
	}
	if own := pageOK(t, b, "/@bob"); len(own.buttons("/follow"))+len(own.buttons("/unfollow")) != 0 {
		t.Error("bob is offered to follow himself")
	}
	wantRedirect(t, "unfollow", b.Submit("/@alice", "/unfollow", url.Values{"account": {"alice"}}), "/@alice")
	if got := pageOK(t, b, "/@alice").buttons("/follow"); len(got) != 1 || got[0] != "Follow" {
		t.Errorf("after unfollowing, alice's page offers %v", got)
	}
	for account, status := range map[string]int{"nobody": http.StatusNotFound, "bob": http.StatusBadRequest, "": http.StatusBadRequest} {
		if resp := b.Submit("/@alice", "/follow", url.Values{"account": {account}}); resp.StatusCode != status {
			t.Errorf("following %q: %d, want %d", account, resp.StatusCode, status)
		}
	}
}

// "Approve followers manually" in the settings: requests then wait on
// /follow_requests, where their owner (and only they) approves or rejects
// them; turning it off accepts those still waiting.
func TestFollowRequestsAndManualApproval(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	alice, bob := users.Admin, users.User
	carol := inst.CreateUser("carol", false)

	a := inst.Browser()
	a.Login(alice)
	if got := checked(pageOK(t, a, "/settings"), "approve_followers"); got != "auto" {
		t.Fatalf("a new account's follower approval shows as %q, want auto", got)
	}
	if resp := a.Post("/settings", url.Values{"approve_followers": {"manual"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("settings without a CSRF token: %d, want 403", resp.StatusCode)
	}
	if resp := a.Submit("/settings", "/settings", url.Values{"approve_followers": {"sometimes"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("approve_followers=sometimes: %d, want 400", resp.StatusCode)
	}
	wantRedirect(t, "settings", a.Submit("/settings", "/settings", url.Values{"approve_followers": {"manual"}}), "/settings?saved=1")
	if got := checked(pageOK(t, a, "/settings"), "approve_followers"); got != "manual" {
		t.Fatalf("after saving, follower approval shows as %q", got)
	}

	requestFrom := func(u *testrig.User) *testrig.Browser {
		b := inst.Browser()
		b.Login(u)
		if got := pageOK(t, b, "/@alice").buttons("/follow"); len(got) != 1 || got[0] != "Request to follow" {
			t.Fatalf("%s sees %v on a locked account", u.Username, got)
		}
		wantRedirect(t, "follow request", b.Submit("/@alice", "/follow", url.Values{"account": {"alice"}}), "/@alice")
		p := pageOK(t, b, "/@alice")
		if got := p.buttons("/unfollow"); len(got) != 1 || got[0] != "Withdraw request" || !strings.Contains(p.text(), "waiting for their approval") {
			t.Fatalf("after asking, %s sees %v", u.Username, got)
		}
		return b
	}
	bobBrowser := requestFrom(bob)
	requestFrom(carol)

	requests := func() map[string]string { // handle → approve action
		out := map[string]string{}
		p := pageOK(t, a, "/follow_requests")
		for _, li := range find(p.root, element("li", "request")) {
			handle := textOf(first(li, element("span", "handle")))
			for _, f := range find(li, element("form", "")) {
				if action, _ := attr(f, "action"); strings.HasSuffix(action, "/authorize") {
					out[handle] = action
				}
			}
		}
		return out
	}
	pending := requests()
	bobsRequest, carolsRequest := pending["@bob@"+domainOf(inst)], pending["@carol@"+domainOf(inst)]
	if len(pending) != 2 || bobsRequest == "" || carolsRequest == "" {
		t.Fatalf("alice's follow requests: %v", pending)
	}

	visitor := inst.Browser()
	wantRedirect(t, "the requests page while logged out", visitor.Get("/follow_requests"), "/login?next=%2Ffollow_requests")
	if resp := a.Post(bobsRequest, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("approving without a CSRF token: %d, want 403", resp.StatusCode)
	}
	// Someone else cannot answer alice's requests, even knowing their ids.
	if resp := bobBrowser.Submit("/@alice", bobsRequest, url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bob approving his own request to alice: %d, want 404", resp.StatusCode)
	}
	wantRedirect(t, "approve", a.Submit("/follow_requests", bobsRequest, url.Values{}), "/follow_requests?done=approved")
	if resp := a.Submit("/follow_requests", bobsRequest, url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("approving the same request twice: %d, want 404", resp.StatusCode)
	}
	if got := pageOK(t, bobBrowser, "/@alice").buttons("/unfollow"); len(got) != 1 || got[0] != "Unfollow" {
		t.Errorf("once approved, bob sees %v", got)
	}
	carolsReject := strings.TrimSuffix(carolsRequest, "/authorize") + "/reject"
	wantRedirect(t, "reject", a.Submit("/follow_requests", carolsReject, url.Values{}), "/follow_requests?done=rejected")
	if _, err := inst.Store.FollowBetween(context.Background(), carol.AccountID, alice.AccountID); err == nil {
		t.Error("a rejected request still stands")
	}
	if got := requests(); len(got) != 0 {
		t.Errorf("after answering both, alice still has requests %v", got)
	}

	// Turning approval off accepts whoever still waits.
	requestFrom(carol)
	wantRedirect(t, "settings", a.Submit("/settings", "/settings", url.Values{"approve_followers": {"auto"}}), "/settings?saved=1")
	if f, err := inst.Store.FollowBetween(context.Background(), carol.AccountID, alice.AccountID); err != nil || f.State != model.FollowAccepted {
		t.Errorf("after approval was turned off, carol's request is %+v %v", f, err)
	}

	// The JSON API has the same under Mastodon's names.
	if resp := inst.API("PATCH", "/api/v1/accounts/update_credentials", alice.Token, map[string]any{"locked": true}); resp.StatusCode != http.StatusOK {
		t.Fatalf("update_credentials locked: %d %s", resp.StatusCode, resp.Body)
	}
	var me struct {
		Locked bool `json:"locked"`
	}
	inst.API("GET", "/api/v1/accounts/verify_credentials", alice.Token, nil).JSON(t, &me)
	if got := checked(pageOK(t, a, "/settings"), "approve_followers"); !me.Locked || got != "manual" {
		t.Fatalf("after update_credentials locked=true: the API says locked=%v, the settings %q", me.Locked, got)
	}
	dan := inst.CreateUser("dan", false)
	if resp := inst.API("POST", "/api/v1/follows", dan.Token, map[string]string{"target": "alice"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("dan follows alice: %d %s", resp.StatusCode, resp.Body)
	}
	var reqs []struct {
		ID string `json:"id"`
	}
	inst.API("GET", "/api/v1/follow_requests", alice.Token, nil).JSON(t, &reqs)
	if len(reqs) != 1 {
		t.Fatalf("alice's requests through the API: %+v", reqs)
	}
	if resp := inst.API("POST", "/api/v1/follow_requests/"+reqs[0].ID+"/reject", bob.Token, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bob rejecting alice's request: %d, want 404", resp.StatusCode)
	}
	if resp := inst.API("POST", "/api/v1/follow_requests/"+reqs[0].ID+"/reject", alice.Token, nil); resp.StatusCode != http.StatusNoContent {
		t.Errorf("alice rejecting dan through the API: %d, want 204", resp.StatusCode)
	}
	if _, err := inst.Store.FollowBetween(context.Background(), dan.AccountID, alice.AccountID); err == nil {
		t.Error("a request rejected through the API still stands")
	}
}

func domainOf(inst *testrig.Instance) string {
	u, _ := url.Parse(inst.URL)
	return u.Host
}

// Two servers: a remote profile /@NAME@DOMAIN with a follow button that
// federates (and a Reject that does too); the "follow someone on another
// server" box; and following from one's own server through WebFinger's
// subscribe template and /authorize_interaction.
func TestRemoteProfilesAndRemoteFollow(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	bob := a.CreateUser("bob", false)
	carol := a.CreateUser("carol", false)
	dave := b.CreateUser("dave", false)
	early := b.PublishVideo(dave, testrig.VideoFixture{Title: "Before anyone followed"})
	daveAt := "dave@" + domainOf(b)
	remote := "/@" + daveAt

	// A visitor cannot make A look up strangers.
	resp := a.Browser().Get(remote)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(resp.Body), "Log in to look them up") {
		t.Errorf("an unknown remote profile for a visitor: %d", resp.StatusCode)
	}

	ab := a.Browser()
	ab.Login(bob)
	p := pageOK(t, ab, "/")
	box := first(p.root, element("form", "follow-elsewhere"))
	if box == nil {
		t.Fatal("the home page has no box to follow someone on another server")
	}
	if action, _ := attr(box, "action"); action != "/authorize_interaction" {
		t.Fatalf("the box leads to %q", action)
	}
	wantRedirect(t, "the follow box", ab.Get("/authorize_interaction?uri="+url.QueryEscape("@"+daveAt)), remote)
	if resp := ab.Get("/authorize_interaction?uri=" + url.QueryEscape("nobody@"+domainOf(b))); resp.StatusCode != http.StatusNotFound {
		t.Errorf("looking up someone B does not know: %d, want 404", resp.StatusCode)
	}
	if resp := ab.Get("/authorize_interaction?uri="); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an empty lookup: %d, want 400", resp.StatusCode)
	}
	p = pageOK(t, ab, remote)
	if h := first(p.root, element("p", "handle")); h == nil || textOf(h) != "@"+daveAt {
		t.Errorf("the remote profile shows the handle %v", h)
	}
	if !strings.Contains(p.text(), "None of their clips has reached this server yet") {
		t.Error("the remote profile does not say that none of dave's clips is here")
	}
	if !linksTo(p, b.URL+"/@dave") {
		t.Error("the remote profile does not link to dave's own page")
	}
	if got := p.buttons("/follow"); len(got) != 1 || got[0] != "Follow" {
		t.Fatalf("the remote profile offers %v", got)
	}
	// A link works too: to the person, or to a clip A has never seen, which
	// it fetches and shows on its own watch page (and dave's page here
	// lists it).
	wantRedirect(t, "the actor's URL", ab.Get("/authorize_interaction?uri="+url.QueryEscape(b.URL+"/users/dave")), remote)
	resp = ab.Get("/authorize_interaction?uri=" + url.QueryEscape(early.URI))
	fetched, err := a.Store.VideoByURI(context.Background(), early.URI)
	if err != nil {
		t.Fatalf("a clip looked up by its link was not fetched: %v (%d %s)", err, resp.StatusCode, resp.Body)
	}
	wantRedirect(t, "a clip's URL", resp, "/videos/"+fetched.ID)
	if got := textOf(first(pageOK(t, ab, "/videos/"+fetched.ID).root, element("h1", ""))); got != "Before anyone followed" {
		t.Errorf("the fetched clip's page is titled %q", got)
	}
	if got := pageOK(t, ab, remote).titles(); len(got) != 1 || got[0] != "Before anyone followed" {
		t.Errorf("after the clip was fetched, dave's page here lists %v", got)
	}
	wantRedirect(t, "follow dave", ab.Submit(remote, "/follow", url.Values{"account": {daveAt}}), remote)
	testrig.Eventually(t, 15*time.Second, "B to accept bob's follow", func() bool {
		got := pageOK(t, ab, remote).buttons("/unfollow")
		return len(got) == 1 && got[0] == "Unfollow"
	})
	// A visitor may now see the account A knows.
	if resp := a.Browser().Get(remote); resp.StatusCode != http.StatusOK {
		t.Errorf("a known remote profile for a visitor: %d", resp.StatusCode)
	}

	// dave approves followers himself and rejects carol: A learns of it.
	db := b.Browser()
	db.Login(dave)
	wantRedirect(t, "dave's settings", db.Submit("/settings", "/settings", url.Values{"approve_followers": {"manual"}}), "/settings?saved=1")
	cb := a.Browser()
	cb.Login(carol)
	wantRedirect(t, "carol follows dave", cb.Submit("/", "/follow", url.Values{"account": {daveAt}}), remote)
	var reject string
	testrig.Eventually(t, 15*time.Second, "carol's request on dave's follow requests", func() bool {
		for _, f := range find(pageOK(t, db, "/follow_requests").root, element("form", "")) {
			if action, _ := attr(f, "action"); strings.HasSuffix(action, "/reject") {
				reject = action
			}
		}
		return reject != ""
	})
	if got := pageOK(t, cb, remote).buttons("/unfollow"); len(got) != 1 || got[0] != "Withdraw request" {
		t.Errorf("carol's pending request shows %v", got)
	}
	wantRedirect(t, "dave rejects", db.Submit("/follow_requests", reject, url.Values{}), "/follow_requests?done=rejected")
	testrig.Eventually(t, 15*time.Second, "A to learn of the Reject", func() bool {
		got := pageOK(t, cb, remote).buttons("/follow")
		return len(got) == 1
	})

	// Follow from your own server: a visitor of B's profile page who is
	// bob on A goes to A's authorize_interaction page for dave…
	visitor := b.Browser()
	vp := pageOK(t, visitor, "/@dave")
	if len(vp.buttons("/remote_follow")) != 1 {
		t.Fatal("dave's profile offers visitors no remote follow")
	}
	resp = visitor.Submit("/@dave", "/remote_follow", url.Values{"account": {"dave"}, "handle": {"@bob@" + domainOf(a)}})
	wantRedirect(t, "remote follow", resp, a.URL+"/authorize_interaction?uri="+url.QueryEscape(daveAt))
	// …which asks for a login first, and then shows dave with the button.
	fresh := a.Browser()
	wantRedirect(t, "authorize_interaction logged out", fresh.Get("/authorize_interaction?uri="+url.QueryEscape(daveAt)),
		"/login?next="+url.QueryEscape("/authorize_interaction?uri="+url.QueryEscape(daveAt)))
	wantRedirect(t, "authorize_interaction", ab.Get("/authorize_interaction?uri="+url.QueryEscape(daveAt)), remote)

	// What goes wrong is said plainly, on the form, with the handle kept.
	noTemplate := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jrd+json")
		json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck // a test server
			"subject": r.URL.Query().Get("resource"),
			"links":   []map[string]string{{"rel": "self", "type": "application/activity+json", "href": "http://example.invalid/u/me"}},
		})
	}))
	ln, err := net.Listen("tcp", "127.0.0.3:0")
	if err != nil {
		t.Fatal(err)
	}
	noTemplate.Listener = ln
	noTemplate.Start()
	defer noTemplate.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := closed.Addr().String()
	closed.Close()
	for _, c := range []struct {
		handle string
		status int
		says   string
	}{
		{"bob", http.StatusBadRequest, "your full address"},
		{"me@" + ln.Addr().String(), http.StatusUnprocessableEntity, "does not say how to follow someone from there"},
		{"me@" + unreachable, http.StatusBadGateway, "could not fetch"},
	} {
		resp := visitor.Submit("/@dave", "/remote_follow", url.Values{"account": {"dave"}, "handle": {c.handle}})
		if resp.StatusCode != c.status || !strings.Contains(string(resp.Body), c.says) {
			t.Errorf("remote follow as %q: %d, want %d saying %q: %s", c.handle, resp.StatusCode, c.status, c.says, resp.Body)
			continue
		}
		for _, problem := range checkHTML(resp.Body) {
			t.Errorf("the remote follow form after %q: %s", c.handle, problem)
		}
		p := parsePage(t, resp.Body)
		in := first(p.root, byID("remote-handle"))
		if v, _ := attr(in, "value"); in == nil || v != c.handle {
			t.Errorf("the form after %q keeps %q", c.handle, v)
		}
	}
	// Someone of B itself is sent to log in there.
	wantRedirect(t, "remote follow by a local handle", visitor.Submit("/@dave", "/remote_follow",
		url.Values{"account": {"dave"}, "handle": {"me@" + domainOf(b)}}), "/login?next=%2F%40dave")
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

const notifyWait = 15 * time.Second

// notificationJSON is GET /api/v1/notifications's item, as a client reads it.
type notificationJSON struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
	Account   struct {
		ID     string  `json:"id"`
		Acct   string  `json:"acct"`
		URL    string  `json:"url"`
		Avatar *string `json:"avatar"`
	} `json:"account"`
	Video *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
		URI   string `json:"uri"`
	} `json:"video"`
	Comment *struct {
		ID      string `json:"id"`
		Content string `json:"content"`
	} `json:"comment"`
}

func notificationsOf(t *testing.T, inst *testrig.Instance, u *testrig.User) []notificationJSON {
	t.Helper()
	return notificationsAt(t, inst, u, "")
}

// notificationsAt reads a page of u's notifications: query is "" or "?…".
func notificationsAt(t *testing.T, inst *testrig.Instance, u *testrig.User, query string) []notificationJSON {
	t.Helper()
	resp := inst.API("GET", "/api/v1/notifications"+query, u.Token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("notifications of %s: %d %s", u.Username, resp.StatusCode, resp.Body)
	}
	var out []notificationJSON
	resp.JSON(t, &out)
	return out
}

// kinds lists "type from" for each notification, newest first.
func kinds(ns []notificationJSON) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Type+" "+n.Account.Acct)
	}
	return out
}

func apiOK(t *testing.T, inst *testrig.Instance, method, path, token string, body any) {
	t.Helper()
	if resp := inst.API(method, path, token, body); resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, resp.Body)
	}
}

func lockAccount(t *testing.T, inst *testrig.Instance, u *testrig.User) {
	t.Helper()
	if _, err := inst.Store.DB().NewUpdate().Model((*model.Account)(nil)).Set("manually_approves_followers = TRUE").
		Where("id = ?", u.AccountID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// unreadBadge is the number on the header's notifications link, "" when
// it has none.
func unreadBadge(t *testing.T, b *testrig.Browser) string {
	t.Helper()
	p := parsePage(t, b.Get("/").Body)
	link := first(p.root, func(n *html.Node) bool { v, _ := attr(n, "href"); return n.Data == "a" && v == "/notifications" })
	if link == nil {
		t.Fatal("the header has no link to the notifications")
	}
	if c := first(link, element("span", "count")); c != nil {
		return textOf(c)
	}
	return ""
}

// Local people follow, like, boost and comment: the author is notified of
// each (a locked account of the request), sees them on /notifications, the
// badge counts them until seen, undoing removes them, and nobody is
// notified of their own doing.
func TestNotificationsFromLocalActions(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	alice, bob := users.Admin, users.User
	carol := inst.CreateUser("carol", false)
	domain := strings.TrimPrefix(inst.URL, "http://")
	v := inst.PublishVideo(alice, testrig.VideoFixture{Title: "Morning fog"})

	// alice acting on her own clip notifies nobody.
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/like", alice.Token, nil)
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/boost", alice.Token, nil)
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/comments", alice.Token, map[string]string{"text": "my own words"})
	if ns := notificationsOf(t, inst, alice); len(ns) != 0 {
		t.Fatalf("acting on her own clip gave alice notifications: %v", kinds(ns))
	}

	apiOK(t, inst, "POST", "/api/v1/follows", bob.Token, map[string]string{"target": "alice@" + domain})
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/like", bob.Token, nil)
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/like", bob.Token, nil) // a repeat is one like
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/boost", bob.Token, nil)
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/comments", bob.Token, map[string]string{"text": "Lovely <b>light</b>\nat dawn"})
	lockAccount(t, inst, bob)
	apiOK(t, inst, "POST", "/api/v1/follows", carol.Token, map[string]string{"target": "bob@" + domain})

	ns := notificationsOf(t, inst, alice)
	if want := []string{"comment bob", "boost bob", "like bob", "follow bob"}; !slices.Equal(kinds(ns), want) {
		t.Fatalf("alice's notifications: %v, want %v", kinds(ns), want)
	}
	for _, n := range ns {
		if n.ID == "" || n.CreatedAt.IsZero() || n.Read || n.Account.URL == "" {
			t.Errorf("%s: incomplete %+v", n.Type, n)
		}
		if (n.Video != nil) != (n.Type != model.NotifyFollow) {
			t.Errorf("%s: video %+v", n.Type, n.Video)
		}
		if n.Video != nil && (n.Video.ID != v.ID || n.Video.Title != "Morning fog" || n.Video.URI != v.URI) {
			t.Errorf("%s names the video %+v", n.Type, n.Video)
		}
		if (n.Comment != nil) != (n.Type == model.NotifyComment) {
			t.Errorf("%s: comment %+v", n.Type, n.Comment)
		}
	}
	if c := ns[0].Comment; c == nil || !strings.Contains(c.Content, "Lovely &lt;b&gt;light&lt;/b&gt;") {
		t.Errorf("the comment notification carries %+v", c)
	}
	if got := kinds(notificationsOf(t, inst, bob)); !slices.Equal(got, []string{"follow_request carol"}) {
		t.Errorf("bob (locked) has %v, want carol's follow request", got)
	}
	bobs := inst.Browser()
	bobs.Login(bob)
	request := first(parsePage(t, bobs.Get("/notifications").Body).root, element("li", "notification-follow_request"))
	if request == nil || !strings.Contains(textOf(request), "@carol asked to follow you") || !linksTo(&page{root: request}, "/follow_requests") {
		t.Errorf("bob's page does not show carol's request with a way to answer it")
	}
	var requests []struct {
		ID string `json:"id"`
	}
	inst.API("GET", "/api/v1/follow_requests", bob.Token, nil).JSON(t, &requests)
	if len(requests) != 1 {
		t.Fatalf("bob's follow requests: %v", requests)
	}
	if resp := inst.API("POST", "/api/v1/follow_requests/"+requests[0].ID+"/authorize", bob.Token, nil); resp.StatusCode >= 300 {
		t.Fatalf("authorize: %d %s", resp.StatusCode, resp.Body)
	}
	if got := kinds(notificationsOf(t, inst, bob)); !slices.Equal(got, []string{"follow carol"}) {
		t.Errorf("after bob approved the request he has %v, want carol's follow", got)
	}
	// A request still waiting when bob stops approving followers is answered too.
	dave := inst.CreateUser("dave", false)
	if resp := inst.API("POST", "/api/v1/follows", dave.Token, map[string]string{"target": "bob"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("dave follows bob: %d %s", resp.StatusCode, resp.Body)
	}
	if resp := inst.API("PATCH", "/api/v1/accounts/update_credentials", bob.Token, map[string]bool{"locked": false}); resp.StatusCode != http.StatusOK {
		t.Fatalf("unlocking: %d %s", resp.StatusCode, resp.Body)
	}
	if got := kinds(notificationsOf(t, inst, bob)); !slices.Equal(got, []string{"follow dave", "follow carol"}) {
		t.Errorf("after bob stopped approving followers he has %v, want dave's and carol's follows", got)
	}
	if ns := notificationsOf(t, inst, carol); len(ns) != 0 {
		t.Errorf("carol has %v", kinds(ns))
	}
	if resp := inst.API("GET", "/api/v1/notifications", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("notifications without a token: %d, want 401", resp.StatusCode)
	}
	if older := notificationsAt(t, inst, alice, "?limit=2&max_id="+ns[1].ID); !slices.Equal(kinds(older), []string{"like bob", "follow bob"}) {
		t.Errorf("the page after %s: %v", ns[1].ID, kinds(older))
	}

	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	inst.API("GET", "/api/openapi.json", "", nil).JSON(t, &doc)
	if _, ok := doc.Paths["/api/v1/notifications"]["get"]; !ok {
		t.Error("GET /api/v1/notifications is not in the OpenAPI document")
	}

	// The page: login first, then the list with what is new marked.
	anon := inst.Browser()
	if resp := anon.Get("/notifications"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fnotifications" {
		t.Fatalf("notifications while logged out: %d to %q, want the login form", resp.StatusCode, resp.Header.Get("Location"))
	}
	b := inst.Browser()
	b.Login(alice)
	if got := unreadBadge(t, b); got != "4" {
		t.Fatalf("the badge says %q, want 4", got)
	}
	body := b.Get("/notifications").Body
	if problems := checkHTML(body); len(problems) > 0 {
		t.Errorf("/notifications is not well-formed: %v", problems)
	}
	pg := parsePage(t, body)
	items := find(pg.root, element("li", "notification"))
	if len(items) != 4 {
		t.Fatalf("the page lists %d notifications, want 4", len(items))
	}
	for i, want := range []string{"commented on your clip", "boosted your clip", "liked your clip", "followed you"} {
		text := textOf(items[i])
		if !strings.Contains(text, want) || !strings.Contains(text, "@bob") || !hasClass(items[i], "unread") || !strings.Contains(text, "New") {
			t.Errorf("item %d says %q, want a new %q from @bob", i, text, want)
		}
		if i < 3 && !linksTo(&page{root: items[i]}, "/videos/"+v.ID) {
			t.Errorf("item %d does not link the clip", i)
		}
	}
	if q := first(items[0], element("blockquote", "")); q == nil || q.FirstChild == nil || q.FirstChild.Data != "Lovely <b>light</b>\nat dawn" {
		t.Errorf("the comment is not quoted as text with its line break: %q", textOf(items[0]))
	}
	if got := unreadBadge(t, b); got != "" {
		t.Errorf("after viewing them the badge still says %q", got)
	}
	pg = parsePage(t, b.Get("/notifications").Body)
	if n := len(find(pg.root, element("li", "unread"))); n != 0 {
		t.Errorf("a second visit shows %d as new", n)
	}

	// Undoing removes what it caused; the comment stays.
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/unlike", bob.Token, nil)
	apiOK(t, inst, "POST", "/api/v1/videos/"+v.ID+"/unboost", bob.Token, nil)
	apiOK(t, inst, "DELETE", "/api/v1/follows?target="+url.QueryEscape("alice@"+domain), bob.Token, nil)
	apiOK(t, inst, "DELETE", "/api/v1/follows?target="+url.QueryEscape("bob@"+domain), carol.Token, nil)
	if got := kinds(notificationsOf(t, inst, alice)); !slices.Equal(got, []string{"comment bob"}) {
		t.Errorf("after bob undid all but his comment alice has %v", got)
	}
	if got := kinds(notificationsOf(t, inst, bob)); !slices.Equal(got, []string{"follow dave"}) {
		t.Errorf("after carol unfollowed bob has %v, want only dave's follow", got)
	}
}

// The same events arriving from another server notify the local author:
// bob@B follows alice@A, likes, boosts and comments on her clip; carol@B
// asks to follow locked dave@A. Undoing them on B removes them on A.
func TestNotificationsFromRemoteActions(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	alice, dave := a.CreateUser("alice", false), a.CreateUser("dave", false)
	bob, carol := b.CreateUser("bob", false), b.CreateUser("carol", false)
	lockAccount(t, a, dave)
	domainA, domainB := strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://")

	apiOK(t, b, "POST", "/api/v1/follows", bob.Token, map[string]string{"target": "alice@" + domainA})
	apiOK(t, b, "POST", "/api/v1/follows", carol.Token, map[string]string{"target": "dave@" + domainA})
	testrig.Eventually(t, notifyWait, "alice was never told of bob's follow", func() bool {
		return slices.Equal(kinds(notificationsOf(t, a, alice)), []string{"follow bob@" + domainB})
	})
	testrig.Eventually(t, notifyWait, "dave was never told of carol's request", func() bool {
		return slices.Equal(kinds(notificationsOf(t, a, dave)), []string{"follow_request carol@" + domainB})
	})

	// B takes alice's clips once it has her Accept.
	waitAccepted(t, b, bob, alice.Account.URI)
	v := a.PublishVideo(alice, testrig.VideoFixture{Title: "Harbour at dusk"})
	var remoteID string
	testrig.Eventually(t, notifyWait, "alice's clip never reached bob", func() bool {
		var vs []struct {
			ID  string `json:"id"`
			URI string `json:"uri"`
		}
		b.API("GET", "/api/v1/timelines/home", bob.Token, nil).JSON(t, &vs)
		for _, x := range vs {
			if x.URI == v.URI {
				remoteID = x.ID
			}
		}
		return remoteID != ""
	})
	apiOK(t, b, "POST", "/api/v1/videos/"+remoteID+"/like", bob.Token, nil)
	apiOK(t, b, "POST", "/api/v1/videos/"+remoteID+"/boost", bob.Token, nil)
	apiOK(t, b, "POST", "/api/v1/videos/"+remoteID+"/comments", bob.Token, map[string]string{"text": "Greetings from B"})
	want := []string{"comment bob@" + domainB, "boost bob@" + domainB, "like bob@" + domainB, "follow bob@" + domainB}
	var ns []notificationJSON
	testrig.Eventually(t, notifyWait, "alice was never told of bob's like, boost and comment", func() bool {
		ns = notificationsOf(t, a, alice)
		return len(ns) == 4
	})
	// The inbox processes activities in any order; the set is what counts.
	if got := kinds(ns); !slices.Equal(sorted(got), sorted(want)) {
		t.Fatalf("alice's notifications: %v, want %v", got, want)
	}
	for _, n := range ns {
		if n.Video != nil && n.Video.ID != v.ID {
			t.Errorf("%s names video %s, want alice's %s", n.Type, n.Video.ID, v.ID)
		}
		if n.Type == model.NotifyComment && (n.Comment == nil || !strings.Contains(n.Comment.Content, "Greetings from B")) {
			t.Errorf("the comment notification carries %+v", n.Comment)
		}
	}
	// bob's own instance tells bob nothing about his own doing.
	if got := notificationsOf(t, b, bob); len(got) != 0 {
		t.Errorf("bob has %v on B", kinds(got))
	}

	apiOK(t, b, "POST", "/api/v1/videos/"+remoteID+"/unlike", bob.Token, nil)
	apiOK(t, b, "POST", "/api/v1/videos/"+remoteID+"/unboost", bob.Token, nil)
	apiOK(t, b, "DELETE", "/api/v1/follows?target="+url.QueryEscape("alice@"+domainA), bob.Token, nil)
	apiOK(t, b, "DELETE", "/api/v1/follows?target="+url.QueryEscape("dave@"+domainA), carol.Token, nil)
	testrig.Eventually(t, notifyWait, "the undone like, boost and follow stayed on A", func() bool {
		return slices.Equal(kinds(notificationsOf(t, a, alice)), []string{"comment bob@" + domainB})
	})
	testrig.Eventually(t, notifyWait, "carol's withdrawn request stayed on A", func() bool {
		return len(notificationsOf(t, a, dave)) == 0
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// waitAccepted waits until u's instance has the Accept of u's follow of the
// account at targetURI.
func waitAccepted(t *testing.T, inst *testrig.Instance, u *testrig.User, targetURI string) {
	t.Helper()
	testrig.Eventually(t, notifyWait, u.Username+"'s follow was never accepted", func() bool {
		target, err := inst.Store.AccountByURI(context.Background(), targetURI)
		if err != nil {
			return false
		}
		f, err := inst.Store.FollowBetween(context.Background(), u.AccountID, target.ID)
		return err == nil && f.State == model.FollowAccepted
	})
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/signing"
	"github.com/assay-social/assay/internal/testrig"
)

// sendFlag delivers a Flag from reporter (on home) to to's shared inbox,
// signed with the reporter's key as any server would, and returns its id.
func sendFlag(t *testing.T, to, home *testrig.Instance, reporter *testrig.User, content string, objects ...string) string {
	t.Helper()
	id := home.URL + "/flags/" + model.NewID()
	body, err := json.Marshal(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": id, "type": "Flag",
		"actor": reporter.Account.URI, "object": objects, "content": content,
	})
	if err != nil {
		t.Fatal(err)
	}
	acct, err := home.Store.AccountByURI(context.Background(), reporter.Account.URI)
	if err != nil {
		t.Fatal(err)
	}
	key, err := signing.ParsePrivateKeyPEM(acct.PrivateKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, to.URL+"/inbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := signing.SignPOST(req, body, acct.URI+"#main-key", key); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("the Flag: %d, want 202", resp.StatusCode)
	}
	return id
}

func reportItems(t *testing.T, b *testrig.Browser) []*html.Node {
	t.Helper()
	resp := b.Get("/admin")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/admin: %d", resp.StatusCode)
	}
	return find(parsePage(t, resp.Body).root, element("li", "report"))
}

// A Flag from another server shows in the admin's reports queue with who
// reported whom, their words and what; only an admin can resolve it, and
// a resolved report leaves the queue.
func TestAdminReportsQueue(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	users := a.StandardUsers()
	carol := b.CreateUser("carol", false)
	v := a.PublishVideo(users.User, testrig.VideoFixture{Title: "Suspicious giveaway"})

	admin := a.Browser()
	admin.Login(users.Admin)
	if items := reportItems(t, admin); len(items) != 0 {
		t.Fatalf("a new instance shows %d reports", len(items))
	}
	sendFlag(t, a, b, carol, "<p>Spam &amp; a scam link</p>", users.User.Account.URI, v.URI)
	var items []*html.Node
	testrig.Eventually(t, notifyWait, "the report never showed on /admin", func() bool {
		items = reportItems(t, admin)
		return len(items) == 1
	})
	if problems := checkHTML(admin.Get("/admin").Body); len(problems) > 0 {
		t.Errorf("/admin with a report is not well-formed: %v", problems)
	}
	text := textOf(items[0])
	domainB := strings.TrimPrefix(b.URL, "http://")
	for _, want := range []string{"@carol@" + domainB + " reported @bob", "Spam & a scam link"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report says %q, want %q", text, want)
		}
	}
	if !linksTo(&page{root: items[0]}, v.URI) || !linksTo(&page{root: items[0]}, "/@bob") {
		t.Errorf("the report does not link the reported clip and account")
	}
	form := first(items[0], element("form", "inline"))
	action, _ := attr(form, "action")
	if !strings.HasPrefix(action, "/admin/reports/") || !strings.HasSuffix(action, "/resolve") {
		t.Fatalf("the report's resolve form posts to %q", action)
	}

	// bob may neither see the queue nor resolve his own report.
	bob := a.Browser()
	bob.Login(users.User)
	if resp := bob.Get("/admin"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("/admin for a non-admin: %d, want 403", resp.StatusCode)
	}
	if resp := bob.Submit("/settings", action, url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a non-admin resolving: %d, want 403", resp.StatusCode)
	}
	if rs, err := a.Store.Reports(context.Background()); err != nil || len(rs) != 1 {
		t.Fatalf("after bob's attempt the open reports are %d (%v)", len(rs), err)
	}

	resp := admin.Submit("/admin", action, url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolving: %d %s", resp.StatusCode, resp.Body)
	}
	after := parsePage(t, admin.Get(resp.Header.Get("Location")).Body)
	if n := len(find(after.root, element("li", "report"))); n != 0 || !strings.Contains(textOf(after.root), "The report is resolved.") ||
		!strings.Contains(textOf(after.root), "No open reports.") {
		t.Errorf("after resolving, the page shows %d reports and says %q", n, textOf(after.root))
	}
	if resp := admin.Submit("/admin", action, url.Values{}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("resolving it again: %d, want 404", resp.StatusCode)
	}
	// The AI-free switch still spells out what it does.
	if !strings.Contains(textOf(after.root), "Labelled clips already stored here are hidden from every timeline") {
		t.Error("the admin page no longer explains the AI-free switch")
	}
}

// queueRow reads one queue's numbers from the health table on /admin:
// pending, active, scheduled, retry, archived, processed and failed today.
func queueRow(t *testing.T, b *testrig.Browser, name string) []int {
	t.Helper()
	root := parsePage(t, b.Get("/admin").Body).root
	row := first(root, func(n *html.Node) bool { id, _ := attr(n, "id"); return n.Data == "tr" && id == "queue-"+name })
	if row == nil {
		t.Fatalf("the queue health has no row for %s", name)
	}
	var out []int
	for _, td := range find(row, element("td", "")) {
		n, err := strconv.Atoi(textOf(td))
		if err != nil {
			t.Fatalf("queue %s: cell %q", name, textOf(td))
		}
		out = append(out, n)
	}
	if len(out) != 7 {
		t.Fatalf("queue %s has %d numbers", name, len(out))
	}
	return out
}

// The queue health comes from Redis through asynq's inspector: a job that
// is running shows as active, and once done it counts as processed today.
func TestAdminQueueHealth(t *testing.T) {
	release := make(chan struct{})
	inst := testrig.NewInstance(t, testrig.BeforeRun(func(a *app.App) {
		a.Jobs.Register(jobs.Kind{Name: "test.hold", Queue: jobs.QueueMaintenance, Handle: func(ctx context.Context, _ *model.Job) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}})
	}))
	admin := inst.Browser()
	admin.Login(inst.StandardUsers().Admin)
	for _, q := range []string{"inbox", "deliver", "fetch", "media", "generate", "maintenance"} {
		queueRow(t, admin, q)
	}
	before := queueRow(t, admin, "maintenance")

	if _, err := inst.Jobs.Enqueue(context.Background(), inst.Store, jobs.Spec{Kind: "test.hold"}); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, notifyWait, "the running job never showed as active", func() bool {
		return queueRow(t, admin, "maintenance")[1] == before[1]+1
	})
	close(release)
	testrig.Eventually(t, notifyWait, "the finished job never counted as processed today", func() bool {
		now := queueRow(t, admin, "maintenance")
		return now[1] == before[1] && now[5] >= before[5]+1
	})
}

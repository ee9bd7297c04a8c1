package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

// blockRow is one domain block as /admin shows it.
type blockRow struct {
	Domain, Severity, Reason string
	Forms                    []*html.Node // change, then lift
}

// blockRows reads the domain blocks table on /admin, in the page's order.
func blockRows(t *testing.T, b *testrig.Browser) ([]blockRow, *page) {
	t.Helper()
	resp := b.Get("/admin")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/admin: %d", resp.StatusCode)
	}
	if problems := checkHTML(resp.Body); len(problems) > 0 {
		t.Errorf("/admin is not well-formed: %v", problems)
	}
	p := parsePage(t, resp.Body)
	var rows []blockRow
	for _, tr := range find(p.root, element("tr", "block")) {
		rows = append(rows, blockRow{
			Domain:   textOf(first(tr, element("th", "block-domain"))),
			Severity: textOf(first(tr, element("td", "block-severity"))),
			Reason:   textOf(first(tr, element("td", "block-reason"))),
			Forms:    find(tr, element("form", "")),
		})
	}
	return rows, p
}

// submitForm posts a form found on a page with its own fields (hidden ones
// included, the CSRF token among them), as a browser would.
func submitForm(t *testing.T, b *testrig.Browser, form *html.Node) *testrig.Response {
	t.Helper()
	action, _ := attr(form, "action")
	values := url.Values{}
	for _, in := range find(form, element("input", "")) {
		name, _ := attr(in, "name")
		value, _ := attr(in, "value")
		values.Add(name, value)
	}
	if values.Get("csrf_token") == "" {
		t.Fatalf("the form to %s carries no CSRF token", action)
	}
	return b.Post(action, values)
}

// storedBlocks is what the store holds, by domain.
func storedBlocks(t *testing.T, inst *testrig.Instance) map[string]*model.DomainBlock {
	t.Helper()
	bs, err := inst.Store.DomainBlocks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*model.DomainBlock{}
	for _, b := range bs {
		out[b.Domain] = b
	}
	return out
}

// apiBlocks is what the admin API lists.
func apiBlocks(t *testing.T, inst *testrig.Instance, token string) map[string]string {
	t.Helper()
	r := inst.API("GET", "/api/v1/admin/domain_blocks", token, nil)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/admin/domain_blocks: %d %s", r.StatusCode, r.Body)
	}
	var list []struct{ Domain, Severity string }
	r.JSON(t, &list)
	out := map[string]string{}
	for _, b := range list {
		out[b.Domain] = b.Severity
	}
	return out
}

// An admin blocks a domain from /admin, changes the block and lifts it; the
// API, which shares the store and the rules, sees each step.
func TestAdminDomainBlocks(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	admin := inst.Browser()
	admin.Login(users.Admin)

	rows, p := blockRows(t, admin)
	if len(rows) != 0 || !strings.Contains(textOf(p.root), "No domain is blocked.") {
		t.Fatalf("a new instance shows %d blocks", len(rows))
	}
	for _, want := range []string{"Domain blocks", "Suspend refuses everything", "Silence still federates"} {
		if !strings.Contains(textOf(p.root), want) {
			t.Errorf("/admin does not say %q", want)
		}
	}

	resp := admin.Submit("/admin", "/admin/domain_blocks", url.Values{
		"domain": {" Spam.Example "}, "severity": {"suspend"}, "reason": {"Scam <b>waves</b> & bots"},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("blocking: %d %s", resp.StatusCode, resp.Body)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/admin?blocked=spam.example") {
		t.Errorf("blocking redirects to %q", loc)
	}
	// Another block, to see the order.
	if resp := admin.Submit("/admin", "/admin/domain_blocks", url.Values{"domain": {"alpha.example"}, "severity": {"silence"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("blocking alpha.example: %d %s", resp.StatusCode, resp.Body)
	}
	rows, _ = blockRows(t, admin)
	if len(rows) != 2 || rows[0].Domain != "alpha.example" || rows[1].Domain != "spam.example" {
		t.Fatalf("the blocks on /admin: %+v", rows)
	}
	spam := rows[1]
	if !strings.HasPrefix(spam.Severity, "Suspended") || spam.Reason != "Scam <b>waves</b> & bots" {
		t.Errorf("spam.example shows as %q, %q", spam.Severity, spam.Reason)
	}
	if got := apiBlocks(t, inst, users.Admin.Token); got["spam.example"] != model.BlockSuspend || got["alpha.example"] != model.BlockSilence {
		t.Errorf("the API lists %v", got)
	}

	// The row's own button changes suspend to silence and keeps the reason.
	if len(spam.Forms) != 2 {
		t.Fatalf("the row has %d forms, want change and lift", len(spam.Forms))
	}
	if resp := submitForm(t, admin, spam.Forms[0]); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing to silence: %d %s", resp.StatusCode, resp.Body)
	}
	if b := storedBlocks(t, inst)["spam.example"]; b == nil || b.Severity != model.BlockSilence || b.Reason != "Scam <b>waves</b> & bots" {
		t.Fatalf("after the change the store holds %+v", b)
	}
	// Blocking again through the add form changes it back.
	if resp := admin.Submit("/admin", "/admin/domain_blocks", url.Values{"domain": {"spam.example"}, "severity": {"suspend"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("blocking again: %d %s", resp.StatusCode, resp.Body)
	}
	rows, _ = blockRows(t, admin)
	if len(rows) != 2 || !strings.HasPrefix(rows[1].Severity, "Suspended") {
		t.Fatalf("after blocking again: %+v", rows)
	}
	if resp := submitForm(t, admin, rows[1].Forms[0]); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing to silence: %d", resp.StatusCode)
	}
	if got := apiBlocks(t, inst, users.Admin.Token); got["spam.example"] != model.BlockSilence {
		t.Errorf("after the change the API lists %v", got)
	}

	// Lifting.
	rows, _ = blockRows(t, admin)
	lift := rows[1].Forms[1]
	action, _ := attr(lift, "action")
	if action != "/admin/domain_blocks/spam.example/lift" {
		t.Errorf("the lift form posts to %q", action)
	}
	resp = submitForm(t, admin, lift)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("lifting: %d %s", resp.StatusCode, resp.Body)
	}
	if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/admin?lifted=spam.example") {
		t.Errorf("lifting redirects to %q", loc)
	}
	rows, _ = blockRows(t, admin)
	if len(rows) != 1 || rows[0].Domain != "alpha.example" {
		t.Errorf("after lifting, /admin shows %+v", rows)
	}
	if got := apiBlocks(t, inst, users.Admin.Token); len(got) != 1 || got["alpha.example"] == "" {
		t.Errorf("after lifting the API lists %v", got)
	}
	// A block that is gone cannot be lifted again; the page says so.
	resp = admin.Submit("/admin", action, url.Values{})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(alertText(t, resp.Body), "spam.example is not blocked") {
		t.Errorf("lifting again: %d, alert %q", resp.StatusCode, alertText(t, resp.Body))
	}
}

// alertText is what the page's role="alert" paragraphs say.
func alertText(t *testing.T, body []byte) string {
	t.Helper()
	var out []string
	for _, n := range find(parsePage(t, body).root, func(n *html.Node) bool { r, _ := attr(n, "role"); return r == "alert" }) {
		out = append(out, textOf(n))
	}
	return strings.Join(out, " | ")
}

// Only an admin can block or lift, only with the form's token, and a block
// the federation rules refuse is explained on the page and stores nothing.
func TestAdminDomainBlocksRefused(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	own := strings.TrimPrefix(inst.URL, "http://")
	if _, err := inst.Federation.BlockDomain(context.Background(), "kept.example", model.BlockSilence, ""); err != nil {
		t.Fatal(err)
	}
	block := url.Values{"domain": {"spam.example"}, "severity": {"suspend"}}

	bob := inst.Browser()
	bob.Login(users.User)
	if resp := bob.Submit("/settings", "/admin/domain_blocks", block); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a non-admin blocking: %d, want 403", resp.StatusCode)
	}
	if resp := bob.Submit("/settings", "/admin/domain_blocks/kept.example/lift", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a non-admin lifting: %d, want 403", resp.StatusCode)
	}
	visitor := inst.Browser()
	if resp := visitor.Submit("/login", "/admin/domain_blocks", block); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("a logged-out visitor blocking: %d to %q, want the login form", resp.StatusCode, resp.Header.Get("Location"))
	}

	admin := inst.Browser()
	admin.Login(users.Admin)
	admin.Get("/admin") // the CSRF cookie, but no token in the form
	if resp := admin.Post("/admin/domain_blocks", block); resp.StatusCode != http.StatusForbidden {
		t.Errorf("blocking without a CSRF token: %d, want 403", resp.StatusCode)
	}
	if resp := admin.Post("/admin/domain_blocks/kept.example/lift", url.Values{"csrf_token": {"abc.def"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("lifting with a made-up token: %d, want 403", resp.StatusCode)
	}
	if got := storedBlocks(t, inst); len(got) != 1 || got["kept.example"] == nil {
		t.Fatalf("after the refused attempts the store holds %v", got)
	}

	for _, c := range []struct {
		name, domain, severity string
		want                   string
	}{
		{"not a domain", "not a domain", "suspend", "a domain looks like video.example"},
		{"an address", "https://spam.example/", "suspend", "a domain looks like video.example"},
		{"a handle", "bob@spam.example", "silence", "a domain looks like video.example"},
		{"empty", "  ", "suspend", "a domain looks like video.example"},
		{"its own domain", own, "suspend", "an instance cannot block itself"},
		{"no severity", "spam.example", "", "severity is suspend or silence"},
		{"a made-up severity", "spam.example", "ban", "severity is suspend or silence"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := admin.Submit("/admin", "/admin/domain_blocks", url.Values{"domain": {c.domain}, "severity": {c.severity}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
			if got := alertText(t, resp.Body); !strings.Contains(got, c.want) {
				t.Errorf("the page alerts %q, want %q", got, c.want)
			}
			if problems := checkHTML(resp.Body); len(problems) > 0 {
				t.Errorf("the page with the error is not well-formed: %v", problems)
			}
			// The form still holds what the admin typed.
			field := first(parsePage(t, resp.Body).root, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "block-domain" })
			if field == nil {
				t.Error("the page with the error has no domain field")
			} else if typed, _ := attr(field, "value"); typed != c.domain {
				t.Errorf("the domain field holds %q, want %q", typed, c.domain)
			}
			// The API gives the same answer to the same block.
			r := inst.API("POST", "/api/v1/admin/domain_blocks", users.Admin.Token, map[string]string{"domain": c.domain, "severity": c.severity})
			if r.StatusCode != resp.StatusCode || !strings.Contains(string(r.Body), c.want) {
				t.Errorf("the API answers %d %s", r.StatusCode, r.Body)
			}
			if got := storedBlocks(t, inst); len(got) != 1 || got["kept.example"] == nil {
				t.Errorf("the store holds %v", got)
			}
		})
	}
}

// After a block or a lift the page says what was done; the domain is only
// repeated when it looks like one, so a crafted link cannot put words on
// the admin's page.
func TestAdminDomainBlockNotice(t *testing.T) {
	inst := testrig.NewInstance(t)
	admin := inst.Browser()
	admin.Login(inst.StandardUsers().Admin)
	resp := admin.Submit("/admin", "/admin/domain_blocks", url.Values{"domain": {"spam.example"}, "severity": {"silence"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("blocking: %d %s", resp.StatusCode, resp.Body)
	}
	status := func(path string) string {
		var out []string
		for _, n := range find(parsePage(t, admin.Get(path).Body).root, func(n *html.Node) bool { r, _ := attr(n, "role"); return r == "status" }) {
			out = append(out, textOf(n))
		}
		return strings.Join(out, " | ")
	}
	got := status(resp.Header.Get("Location"))
	if !strings.Contains(got, "The block on spam.example is saved.") {
		t.Errorf("after blocking the page says %q", got)
	}
	if got := status("/admin?lifted=spam.example"); !strings.Contains(got, "The block on spam.example is lifted.") {
		t.Errorf("after lifting the page says %q", got)
	}
	for _, crafted := range []string{"/admin?blocked=" + url.QueryEscape("<script>alert(1)</script>"), "/admin?lifted=" + url.QueryEscape("everything. Call +1 555 0100")} {
		if got := status(crafted); strings.Contains(got, "block on") {
			t.Errorf("%s: the page says %q", crafted, got)
		}
	}
}

// A block another process added a moment ago (the CLI, a second web
// process) is not yet in this process's cached list, but lifting it from
// /admin lifts it; and lifting one that is gone says so.
func TestAdminLiftsABlockAddedElsewhereAMomentAgo(t *testing.T) {
	inst := testrig.NewInstance(t)
	admin := inst.Browser()
	admin.Login(inst.StandardUsers().Admin)
	blockRows(t, admin) // the page reads, and keeps, the list: empty
	if _, err := inst.Store.DB().NewInsert().Model(&model.DomainBlock{
		Domain: "fresh.example", Severity: model.BlockSuspend, CreatedAt: time.Now().UTC(),
	}).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp := admin.Submit("/admin", "/admin/domain_blocks/fresh.example/lift", url.Values{})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin?lifted=fresh.example") {
		t.Fatalf("lifting a block added a moment ago elsewhere: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := inst.Count("domain_blocks", "domain = 'fresh.example'"); n != 0 {
		t.Errorf("the block is still stored (%d rows)", n)
	}
	resp = admin.Submit("/admin", "/admin/domain_blocks/fresh.example/lift", url.Values{})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(resp.Body), "fresh.example is not blocked") {
		t.Errorf("lifting it again: %d, want 404 saying it is not blocked", resp.StatusCode)
	}
}

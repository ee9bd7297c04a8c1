package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/testrig"
)

// GET /logout (DESIGN §4's page) asks a logged-in person to confirm and
// ends nothing itself — else any site could log people out with a link or
// an <img> — and its form, POSTed with the token, logs out. A visitor who
// is not logged in is sent home.
func TestLogoutPage(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()

	b := inst.Browser()
	b.Login(users.User)
	page := b.Get("/logout")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET /logout logged in: status %d: %s", page.StatusCode, page.Body)
	}
	body := string(page.Body)
	for _, want := range []string{"Log out of Assay?", `<form method="post" action="/logout">`, `name="csrf_token" value="`, `<a href="/">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the logout page has no %q:\n%s", want, body)
		}
	}
	for _, p := range checkHTML(page.Body) {
		t.Errorf("the logout page: %s", p)
	}

	// Looking at the page (twice, as a prefetch might) logged no one out.
	b.Get("/logout")
	if settings := b.Get("/settings"); settings.StatusCode != http.StatusOK || !strings.Contains(string(settings.Body), "@bob") {
		t.Fatalf("after GET /logout, /settings answers %d (Location %q): the session ended", settings.StatusCode, settings.Header.Get("Location"))
	}

	// The page's own form logs out.
	out := b.Submit("/logout", "/logout", url.Values{})
	if out.StatusCode != http.StatusSeeOther || out.Header.Get("Location") != "/" {
		t.Fatalf("submitting the logout page's form: status %d, Location %q: %s", out.StatusCode, out.Header.Get("Location"), out.Body)
	}
	if settings := b.Get("/settings"); settings.StatusCode != http.StatusSeeOther || !strings.HasPrefix(settings.Header.Get("Location"), "/login") {
		t.Fatalf("after logging out, /settings answers %d (Location %q), not the way to the login form", settings.StatusCode, settings.Header.Get("Location"))
	}
	if home := b.Get("/"); strings.Contains(string(home.Body), "@bob") {
		t.Fatal("after logging out the home page still shows @bob")
	}

	// Logged out — now, or never logged in — GET /logout goes home.
	for name, visitor := range map[string]*testrig.Browser{"after logging out": b, "never logged in": inst.Browser()} {
		resp := visitor.Get("/logout")
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("GET /logout %s: status %d, Location %q; want 303 to /", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

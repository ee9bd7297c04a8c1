package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/testrig"
)

// A person picks "Human only" on /settings; from then on every timeline
// they open without a filter shows only human clips, while the tabs still
// switch for one visit and other people are unaffected.
func TestDefaultFilterSetting(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	inst.PublishVideo(bob, testrig.VideoFixture{Title: "bob-human", Description: "#cats"})
	inst.PublishVideo(bob, testrig.VideoFixture{Title: "bob-ai", Description: "#cats", Synthetic: true})
	all, human := []string{"bob-ai", "bob-human"}, []string{"bob-human"}

	b := inst.Browser()
	resp := b.Get("/settings")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fsettings" {
		t.Fatalf("settings while logged out: %d to %q, want the login form", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Logging in from there comes back to the settings: the form carries
	// where to go next, and only ever to a page of this site.
	login := parsePage(t, b.Get("/login?next=%2Fsettings").Body)
	next := first(login.root, func(n *html.Node) bool { v, _ := attr(n, "name"); return v == "next" })
	if next == nil {
		t.Fatal("the login form does not carry where to go next")
	}
	if v, _ := attr(next, "value"); v != "/settings" {
		t.Fatalf("the login form carries next=%q, want /settings", v)
	}
	for _, elsewhere := range []string{"https://evil.example/", "//evil.example/", "/\\evil.example"} {
		resp := inst.Browser().Submit("/login", "/login", url.Values{"username": {bob.Username}, "password": {bob.Password}, "next": {elsewhere}})
		if resp.Header.Get("Location") != "/" {
			t.Errorf("login with next=%q went to %q, want /", elsewhere, resp.Header.Get("Location"))
		}
	}
	resp = b.Submit("/login?next=%2Fsettings", "/login", url.Values{"username": {bob.Username}, "password": {bob.Password}, "next": {"/settings"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings" {
		t.Fatalf("login from the settings link: %d to %q, want /settings", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := parsePage(t, b.Get("/settings").Body)
	if got := checked(page, "default_media"); got != "all" {
		t.Errorf("a new account's default filter shows as %q, want all", got)
	}

	if resp := b.Post("/settings", url.Values{"default_media": {"human"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("settings without a CSRF token: status %d, want 403", resp.StatusCode)
	}
	resp = b.Submit("/settings", "/settings", url.Values{"default_media": {"robots"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), "all, human or ai") {
		t.Errorf("an unknown filter: status %d, want 400 with the choices", resp.StatusCode)
	}
	if got := titlesAt(t, b, "/?timeline=local"); !slices.Equal(got, all) {
		t.Fatalf("refused changes changed the filter: %q", got)
	}

	resp = b.Submit("/settings", "/settings", url.Values{"default_media": {"human"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the settings: status %d: %s", resp.StatusCode, resp.Body)
	}
	page = parsePage(t, b.Get(resp.Header.Get("Location")).Body)
	if got := checked(page, "default_media"); got != "human" {
		t.Errorf("after saving, the form shows %q", got)
	}
	if !strings.Contains(textOf(page.root), "Your settings are saved.") {
		t.Error("the page does not confirm the change")
	}

	for _, path := range []string{"/", "/?timeline=local", "/?timeline=federated", "/@bob", "/tags/cats"} {
		p := parsePage(t, b.Get(path).Body)
		if got := p.titles(); !slices.Equal(got, human) {
			t.Errorf("%s with the default human: %q, want %q", path, got, human)
		}
		if got := current(p.tabs("Show")); got != "Human" {
			t.Errorf("%s with the default human: the current tab is %q", path, got)
		}
		if got := titlesAt(t, b, path+map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")]+"media=all"); !slices.Equal(got, all) {
			t.Errorf("%s?media=all overrides the default: got %q", path, got)
		}
	}
	if got := titlesAt(t, inst.Browser(), "/"); !slices.Equal(got, all) {
		t.Errorf("a visitor is filtered by bob's default: %q", got)
	}
	if got := itemTitles(readFeed(t, inst, "/feeds/local.atom")); !slices.Equal(got, all) {
		t.Errorf("feeds are public documents and take no one's default: %q", got)
	}
}

func checked(p *page, name string) string {
	for _, in := range find(p.root, element("input", "")) {
		n, _ := attr(in, "name")
		_, on := attr(in, "checked")
		if n == name && on {
			v, _ := attr(in, "value")
			return v
		}
	}
	return ""
}

func linksTo(p *page, href string) bool {
	return first(p.root, func(n *html.Node) bool {
		h, _ := attr(n, "href")
		return n.Data == "a" && h == href
	}) != nil
}

func titlesAt(t *testing.T, b *testrig.Browser, path string) []string {
	t.Helper()
	resp := b.Get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", path, resp.StatusCode)
	}
	return parsePage(t, resp.Body).titles()
}

// The admin page is for admins: a visitor is sent to log in, anyone else
// gets 403 and can change nothing. An admin who switches AI-free on sees
// the labelled clips leave the pages and the feeds — and come back when it
// is switched off.
func TestAdminPageSwitchesAIFree(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	inst.PublishVideo(users.User, testrig.VideoFixture{Title: "bob-human", Description: "#cats"})
	inst.PublishVideo(users.User, testrig.VideoFixture{Title: "bob-ai", Description: "#cats", Synthetic: true})
	all, human := []string{"bob-ai", "bob-human"}, []string{"bob-human"}

	visitor := inst.Browser()
	if resp := visitor.Get("/admin"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fadmin" {
		t.Errorf("/admin while logged out: %d to %q, want the login form", resp.StatusCode, resp.Header.Get("Location"))
	}
	bob := inst.Browser()
	bob.Login(users.User)
	resp := bob.Get("/admin")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(resp.Body), "Only the instance&#39;s admins") {
		t.Errorf("/admin for a non-admin: status %d, want a friendly 403:\n%s", resp.StatusCode, resp.Body)
	}
	if linksTo(parsePage(t, bob.Get("/").Body), "/admin") {
		t.Error("the header offers the admin page to a non-admin")
	}
	resp = bob.Submit("/settings", "/admin", url.Values{"ai_free": {"on"}, "name": {"Taken over"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a non-admin's POST /admin: status %d, want 403", resp.StatusCode)
	}
	if settings, _ := inst.Instance.Get(context.Background()); settings.AIFree || settings.Name == "Taken over" {
		t.Fatal("a non-admin changed the instance settings")
	}

	alice := inst.Browser()
	alice.Login(users.Admin)
	if !linksTo(parsePage(t, alice.Get("/").Body), "/admin") {
		t.Error("the header does not offer the admin page to an admin")
	}
	page := alice.Get("/admin")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("/admin for an admin: status %d", page.StatusCode)
	}
	text := textOf(parsePage(t, page.Body).root)
	for _, consequence := range []string{"403", "upload", "generating clips is switched off", "hidden", "not deleted",
		"Switching this off again brings them back", "Other Assay servers stop sending labelled clips", "aiFree"} {
		if !strings.Contains(text, consequence) {
			t.Errorf("the admin page does not spell out %q", consequence)
		}
	}
	if got := checked(parsePage(t, page.Body), "ai_free"); got != "off" {
		t.Errorf("the AI-free switch shows %q, want off", got)
	}
	if resp := alice.Post("/admin", url.Values{"ai_free": {"on"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /admin without a CSRF token: status %d, want 403", resp.StatusCode)
	}

	feedsAndPages := func(want []string) {
		t.Helper()
		for _, path := range []string{"/", "/?timeline=federated", "/@bob", "/tags/cats"} {
			if got := titlesAt(t, visitor, path); !slices.Equal(got, want) {
				t.Errorf("%s: %q, want %q", path, got, want)
			}
		}
		for _, path := range []string{"/feeds/local.atom", "/feeds/federated.rss", "/feeds/accounts/bob.atom", "/feeds/tags/cats.rss", "/feeds/local.atom?media=ai"} {
			w := want
			if strings.Contains(path, "media=ai") {
				w = []string{}
				if len(want) == len(all) {
					w = []string{"bob-ai"}
				}
			}
			if got := itemTitles(readFeed(t, inst, path)); !slices.Equal(got, w) {
				t.Errorf("%s: %q, want %q", path, got, w)
			}
		}
	}
	feedsAndPages(all)

	resp = alice.Submit("/admin", "/admin", url.Values{"name": {"Human Video"}, "registrations": {"closed"}, "ai_free": {"on"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the admin form: status %d: %s", resp.StatusCode, resp.Body)
	}
	settings, err := inst.Instance.Get(context.Background())
	if err != nil || !settings.AIFree || settings.Name != "Human Video" || settings.RegistrationsOpen {
		t.Fatalf("after the form the settings are %+v (%v)", settings, err)
	}
	after := parsePage(t, alice.Get(resp.Header.Get("Location")).Body)
	if got := checked(after, "ai_free"); got != "on" || !strings.Contains(textOf(after.root), "The settings are saved.") {
		t.Errorf("after saving the form shows AI-free %q", got)
	}
	feedsAndPages(human)
	if p := parsePage(t, visitor.Get("/?media=ai").Body); !strings.Contains(textOf(p.root), "This instance is AI-free") {
		t.Error("the AI tab of an AI-free instance does not say why it is empty")
	}

	// A form that leaves a field out leaves that setting alone; a bad name is explained.
	resp = alice.Submit("/admin", "/admin", url.Values{"ai_free": {"off"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("switching AI-free off: status %d", resp.StatusCode)
	}
	settings, _ = inst.Instance.Get(context.Background())
	if settings.AIFree || settings.Name != "Human Video" || settings.RegistrationsOpen {
		t.Errorf("switching AI-free off changed more: %+v", settings)
	}
	feedsAndPages(all)
	resp = alice.Submit("/admin", "/admin", url.Values{"name": {"  "}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), "1 to 100 characters") {
		t.Errorf("an empty name: status %d, want 400 with the reason", resp.StatusCode)
	}
}

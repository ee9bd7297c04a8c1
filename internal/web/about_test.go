package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/testrig"
)

// An admin writes the description and the rules on /admin; /about shows
// both and where the instance stands on AI clips, and the sign-up form lists
// the rules. A refused save keeps what the admin typed and changes nothing.
func TestAdminWritesDescriptionAndRulesThatAboutShows(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	admin := inst.Browser()
	admin.Login(users.Admin)

	resp := admin.Submit("/admin", "/admin", url.Values{
		"description": {"Clips from the coast."},
		"rules":       {"Be kind.\r\n\r\n  Label   what a model made.  \r\nNo spam."},
	})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving: %d %s", resp.StatusCode, resp.Body)
	}
	want := []string{"Be kind.", "Label what a model made.", "No spam."}
	rulesOn := func(path string) []string {
		t.Helper()
		page := parsePage(t, inst.Browser().Get(path).Body)
		var got []string
		for _, li := range find(page.root, element("ol", "rules")) {
			for c := li.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && c.Data == "li" {
					got = append(got, strings.TrimSpace(textOf(c)))
				}
			}
		}
		return got
	}
	for _, path := range []string{"/about", "/signup"} {
		if got := rulesOn(path); !slices.Equal(got, want) {
			t.Errorf("%s lists the rules %q, want %q", path, got, want)
		}
	}
	about := string(inst.Browser().Get("/about").Body)
	for _, s := range []string{"Clips from the coast.", "AI-generated and AI-edited clips are welcome here", "Registrations are open"} {
		if !strings.Contains(about, s) {
			t.Errorf("/about does not say %q", s)
		}
	}
	var got struct {
		Description string   `json:"description"`
		Rules       []string `json:"rules"`
	}
	inst.API("GET", "/api/v1/instance", "", nil).JSON(t, &got)
	if got.Description != "Clips from the coast." || !slices.Equal(got.Rules, want) {
		t.Errorf("GET /api/v1/instance: %+v", got)
	}

	// 21 rules: refused, what was typed stays in the form, nothing changes.
	many := strings.Repeat("A rule.\n", 21)
	resp = admin.Submit("/admin", "/admin", url.Values{"name": {"Renamed"}, "rules": {many}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), "at most 20 rules") {
		t.Fatalf("21 rules: %d, want 400 saying why", resp.StatusCode)
	}
	if !strings.Contains(string(resp.Body), "Renamed") {
		t.Error("the refused form lost the name the admin typed")
	}
	if got := rulesOn("/about"); !slices.Equal(got, want) {
		t.Errorf("after a refused save /about lists %q", got)
	}
	if strings.Contains(string(inst.Browser().Get("/about").Body), "Renamed") {
		t.Error("a refused save renamed the instance")
	}

	// Turned AI-free, /about says so.
	if r := inst.API("PATCH", "/api/v1/instance", users.Admin.Token, map[string]any{"ai_free": true}); r.StatusCode != http.StatusOK {
		t.Fatalf("ai_free: %d", r.StatusCode)
	}
	if !strings.Contains(string(inst.Browser().Get("/about").Body), "This instance is AI-free") {
		t.Error("/about does not say the instance is AI-free")
	}
}

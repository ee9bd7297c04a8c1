package api_test

import (
	"encoding/json"
	"image"
	_ "image/png" // the avatar is decoded
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/testrig"
)

// A user sets a default filter through the API; every timeline they ask
// for without ?media= uses it, an explicit filter still wins, and nobody
// else is affected.
func TestDefaultMediaThroughCredentials(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()
	bob := users.User
	named := map[string]string{}
	for _, f := range []testrig.VideoFixture{
		{Title: "bob-human", Description: "#cats"},
		{Title: "bob-ai", Description: "#cats", Synthetic: true},
	} {
		named[f.Title] = inst.PublishVideo(bob, f).URI
	}
	all := []string{named["bob-ai"], named["bob-human"]}
	human, ai := []string{named["bob-human"]}, []string{named["bob-ai"]}

	var me map[string]any
	resp := inst.API("GET", "/api/v1/accounts/verify_credentials", bob.Token, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("verify_credentials: %d %s", resp.StatusCode, resp.Body)
	}
	resp.JSON(t, &me)
	if me["username"] != "bob" || me["acct"] != "bob" || me["default_media"] != "all" {
		t.Errorf("verify_credentials of a new account: %v", me)
	}

	resp = inst.API("PATCH", "/api/v1/accounts/update_credentials", bob.Token, map[string]string{"default_media": "human"})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update_credentials: %d %s", resp.StatusCode, resp.Body)
	}
	resp.JSON(t, &me)
	if me["default_media"] != "human" || me["username"] != "bob" {
		t.Errorf("update_credentials answered %v", me)
	}
	inst.API("GET", "/api/v1/accounts/verify_credentials", bob.Token, nil).JSON(t, &me)
	if me["default_media"] != "human" {
		t.Errorf("the default did not stick: %v", me)
	}

	for _, path := range []string{"/api/v1/timelines/home", "/api/v1/timelines/local", "/api/v1/timelines/federated",
		"/api/v1/timelines/tag/cats", "/api/v1/accounts/bob/videos"} {
		if got := ids(t, inst, path, bob.Token); !slices.Equal(got, human) {
			t.Errorf("%s with bob's default: %v, want only the human clip", path, got)
		}
		if got := ids(t, inst, path+"?media=all", bob.Token); !slices.Equal(got, all) {
			t.Errorf("%s?media=all must override the default: %v", path, got)
		}
		if got := ids(t, inst, path+"?media=ai", bob.Token); !slices.Equal(got, ai) {
			t.Errorf("%s?media=ai must override the default: %v", path, got)
		}
		if path != "/api/v1/timelines/home" {
			if got := ids(t, inst, path, ""); !slices.Equal(got, all) {
				t.Errorf("%s without a token is filtered by bob's default: %v", path, got)
			}
			if got := ids(t, inst, path, users.Admin.Token); !slices.Equal(got, all) {
				t.Errorf("%s for alice is filtered by bob's default: %v", path, got)
			}
		}
	}

	for name, c := range map[string]struct {
		token string
		body  any
		want  int
	}{
		"an unknown filter":        {bob.Token, map[string]string{"default_media": "robots"}, http.StatusBadRequest},
		"a field it does not take": {bob.Token, map[string]string{"locked": "yes"}, http.StatusBadRequest},
		"no token":                 {"", map[string]string{"default_media": "ai"}, http.StatusUnauthorized},
	} {
		resp := inst.API("PATCH", "/api/v1/accounts/update_credentials", c.token, c.body)
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, c.want)
		}
		errorOf(t, resp)
	}
	if resp := inst.API("GET", "/api/v1/accounts/verify_credentials", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("verify_credentials without a token: %d, want 401", resp.StatusCode)
	}
	inst.API("GET", "/api/v1/accounts/verify_credentials", bob.Token, nil).JSON(t, &me)
	if me["default_media"] != "human" {
		t.Errorf("refused updates changed the default: %v", me)
	}

	// The OpenAPI document describes both.
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	inst.API("GET", "/api/openapi.json", "", nil).JSON(t, &doc)
	if _, ok := doc.Paths["/api/v1/accounts/verify_credentials"]["get"]; !ok {
		t.Error("GET verify_credentials is not in the OpenAPI document")
	}
	if op, ok := doc.Paths["/api/v1/accounts/update_credentials"]["patch"]; !ok || !strings.Contains(string(op), "default_media") {
		t.Error("PATCH update_credentials is not in the OpenAPI document with default_media")
	}
}

// A client sets the display name and bio through update_credentials, as
// Mastodon's clients do; a request with one bad field changes nothing.
func TestProfileThroughCredentials(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	me := func() map[string]any {
		t.Helper()
		var m map[string]any
		inst.API("GET", "/api/v1/accounts/verify_credentials", bob.Token, nil).JSON(t, &m)
		return m
	}
	resp := inst.API("PATCH", "/api/v1/accounts/update_credentials", bob.Token, map[string]string{
		"display_name": "Bob the Builder", "note": "Clips of <b>bridges</b>.",
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update_credentials: %d %s", resp.StatusCode, resp.Body)
	}
	m := me()
	summary, _ := m["summary"].(string)
	// A local bio is plain text: kept as written, escaped wherever it is shown.
	if m["display_name"] != "Bob the Builder" || summary != "Clips of <b>bridges</b>." {
		t.Fatalf("after the change: display_name %v, summary %q", m["display_name"], summary)
	}
	for name, body := range map[string]map[string]string{
		"bad filter":    {"display_name": "Someone Else", "default_media": "robots"},
		"long name":     {"display_name": strings.Repeat("x", 51), "default_media": "ai"},
		"control chars": {"display_name": "a\x07b", "note": "changed"},
	} {
		if resp := inst.API("PATCH", "/api/v1/accounts/update_credentials", bob.Token, body); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, resp.StatusCode)
		}
		if m := me(); m["display_name"] != "Bob the Builder" || m["default_media"] != "all" || m["summary"] != summary {
			t.Errorf("%s: a refused request changed %v", name, m)
		}
	}
}

// Mastodon's clients send update_credentials as a multipart form, with the
// avatar as a file: one request changes the name, the picture and the lock
// together, in one transaction, and followers' servers hear of it once.
func TestCredentialsFormWithAvatar(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	inst.RemoteFollower(bob, "carol", "social.example")
	var me map[string]any
	resp := inst.Multipart("PATCH", "/api/v1/accounts/update_credentials", bob.Token,
		map[string]string{"display_name": "Bob B", "locked": "true", "bot": "false", "source[privacy]": "public"},
		testrig.FormFile{Field: "avatar", Name: "me.png", Content: testrig.Picture(t, 640, 480, "png")})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("update_credentials as a form: %d %s", resp.StatusCode, resp.Body)
	}
	resp.JSON(t, &me)
	avatar, _ := me["avatar"].(string)
	if me["display_name"] != "Bob B" || me["locked"] != true || !strings.HasPrefix(avatar, inst.URL+"/media/") {
		t.Fatalf("after the form: display_name %v, locked %v, avatar %q", me["display_name"], me["locked"], avatar)
	}
	got, err := http.Get(avatar)
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(got.Body)
	got.Body.Close()
	if err != nil || format != "png" || cfg.Width != 400 || cfg.Height != 300 {
		t.Errorf("the avatar served is %s %dx%d (%v), want a 400x300 PNG", format, cfg.Width, cfg.Height, err)
	}
	if n := inst.Count("outbox_activities", "account_id = ? AND type = 'Update'", bob.AccountID); n != 1 {
		t.Errorf("%d Update{Person} published for one request, want 1", n)
	}

	// A form with one refused field changes nothing and keeps no new file.
	files := inst.Files("media")
	urlEncoded := func(body string) *testrig.Response {
		t.Helper()
		req, _ := http.NewRequest("PATCH", inst.URL+"/api/v1/accounts/update_credentials", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer "+bob.Token)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return &testrig.Response{Response: r, Body: b}
	}
	for name, send := range map[string]func() *testrig.Response{
		"bad lock": func() *testrig.Response {
			return inst.Multipart("PATCH", "/api/v1/accounts/update_credentials", bob.Token, map[string]string{"display_name": "Someone", "locked": "maybe"},
				testrig.FormFile{Field: "avatar", Name: "x.png", Content: testrig.Picture(t, 50, 50, "png")})
		},
		"bad filter": func() *testrig.Response {
			return inst.Multipart("PATCH", "/api/v1/accounts/update_credentials", bob.Token, map[string]string{"display_name": "Someone", "default_media": "robots"},
				testrig.FormFile{Field: "avatar", Name: "x.jpg", Content: testrig.Picture(t, 50, 50, "jpeg")})
		},
		"not a picture": func() *testrig.Response {
			return inst.Multipart("PATCH", "/api/v1/accounts/update_credentials", bob.Token, map[string]string{"display_name": "Someone"},
				testrig.FormFile{Field: "avatar", Name: "x.gif", Content: []byte("GIF89a but not really")})
		},
		"unreadable url-encoded form": func() *testrig.Response { return urlEncoded("display_name=Someone;x&note=changed") },
	} {
		if resp := send(); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, resp.StatusCode, resp.Body)
		}
		var now map[string]any
		inst.API("GET", "/api/v1/accounts/verify_credentials", bob.Token, nil).JSON(t, &now)
		if now["display_name"] != "Bob B" || now["avatar"] != avatar || now["locked"] != true || now["default_media"] != "all" || now["summary"] != "" {
			t.Errorf("%s: the account is now %v", name, now)
		}
		if after := inst.Files("media"); !slices.Equal(after, files) {
			t.Errorf("%s: media files went from %v to %v", name, files, after)
		}
	}
	if n := inst.Count("outbox_activities", "account_id = ? AND type = 'Update'", bob.AccountID); n != 1 {
		t.Errorf("%d Update{Person} published after requests that changed nothing, want 1", n)
	}

	// A url-encoded form with Rails' booleans, and a multipart one with an
	// empty avatar part and a header picture Assay does not keep.
	if resp := urlEncoded("locked=off&note=Builds+bridges"); resp.StatusCode != http.StatusOK {
		t.Fatalf("url-encoded form: %d %s", resp.StatusCode, resp.Body)
	}
	resp = inst.Multipart("PATCH", "/api/v1/accounts/update_credentials", bob.Token, map[string]string{"locked": "on"},
		testrig.FormFile{Field: "avatar", Name: "blank.png", Content: nil},
		testrig.FormFile{Field: "header", Name: "wide.png", Content: testrig.Picture(t, 1500, 500, "png")})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("multipart form with a header: %d %s", resp.StatusCode, resp.Body)
	}
	var now map[string]any
	inst.API("GET", "/api/v1/accounts/verify_credentials", bob.Token, nil).JSON(t, &now)
	if now["summary"] != "Builds bridges" || now["locked"] != true || now["avatar"] != avatar {
		t.Errorf("after the two forms: summary %v, locked %v, avatar %v", now["summary"], now["locked"], now["avatar"])
	}
	if n := inst.Count("outbox_activities", "account_id = ? AND type = 'Update'", bob.AccountID); n != 3 {
		t.Errorf("%d Update{Person} published after two changes, want 3", n)
	}
}

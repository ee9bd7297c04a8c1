package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/png" // the avatar is decoded
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/testrig"
)

// submitProfile posts the multipart profile form as a browser would, with
// the token from /settings (csrf "" leaves it out) and, when file is not
// nil, a file in the avatar field.
func submitProfile(t *testing.T, inst *testrig.Instance, b *testrig.Browser, csrf bool, fields map[string]string, fileName string, file []byte) *testrig.Response {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf {
		mw.WriteField("csrf_token", b.CSRF("/settings")) //nolint:errcheck // into a buffer
	}
	for k, v := range fields {
		mw.WriteField(k, v) //nolint:errcheck
	}
	if file != nil {
		fw, err := mw.CreateFormFile("avatar", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file) //nolint:errcheck
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, inst.URL+"/settings/profile", &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.Do(req)
}

func iconOf(t *testing.T, inst *testrig.Instance) string {
	t.Helper()
	acct, err := inst.Store.AccountByName(context.Background(), "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	return acct.IconURL
}

// A person sets a display name, a bio and an avatar on /settings: a real
// PNG is stored (scaled to 400 px), served under /media/, named as the
// Person's icon and sent to followers' servers; a text file named .png is
// refused with a reason and nothing is stored.
func TestProfileAndAvatar(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	alice := a.CreateUser("alice", false)
	bob := b.CreateUser("bob", false)
	domainA := strings.TrimPrefix(a.URL, "http://")
	apiOK(t, b, "POST", "/api/v1/follows", bob.Token, map[string]string{"target": "alice@" + domainA})
	waitAccepted(t, b, bob, alice.Account.URI)

	br := a.Browser()
	br.Login(alice)
	before := a.Files("media")

	// Not an image, whatever its name says.
	resp := submitProfile(t, a, br, true, map[string]string{"display_name": "Alice L.", "bio": "x"}, "cat.png", []byte("just some text, not a picture\n"))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.Body), "not a PNG, JPEG, WebP or GIF image") {
		t.Fatalf("a text file named .png: %d, want 400 saying it is not an image: %s", resp.StatusCode, resp.Body)
	}
	if v, _ := attr(first(parsePage(t, resp.Body).root, func(n *html.Node) bool { id, _ := attr(n, "id"); return id == "display_name" }), "value"); v != "Alice L." {
		t.Errorf("the refused form lost the display name typed: %q", v)
	}
	if got := a.Files("media"); !slices.Equal(got, before) || iconOf(t, a) != "" {
		t.Fatalf("a refused avatar left files %v (before %v) or an icon %q", got, before, iconOf(t, a))
	}
	if got := a.Files("uploads"); len(got) != 0 {
		t.Errorf("a refused avatar left %v in uploads", got)
	}
	// Too large, too long, and without the form's token.
	if resp := submitProfile(t, a, br, true, nil, "big.png", bytes.Repeat([]byte{0}, 3<<20)); resp.StatusCode != http.StatusRequestEntityTooLarge ||
		!strings.Contains(string(resp.Body), "larger than 2 MB") {
		t.Errorf("a 3 MB file: %d, want 413 naming the limit", resp.StatusCode)
	}
	if resp := submitProfile(t, a, br, true, map[string]string{"display_name": strings.Repeat("a", 51)}, "", nil); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(string(resp.Body), "at most 50 characters") {
		t.Errorf("a 51-character name: %d, want 400", resp.StatusCode)
	}
	if resp := submitProfile(t, a, br, false, map[string]string{"display_name": "Mallory"}, "", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the form without its token: %d, want 403", resp.StatusCode)
	}
	if resp := submitProfile(t, a, a.Browser(), false, map[string]string{"display_name": "Mallory"}, "", nil); resp.StatusCode != http.StatusSeeOther ||
		!strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the form while logged out: %d to %q, want the login form", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A real PNG.
	resp = submitProfile(t, a, br, true, map[string]string{"display_name": "Alice Liddell", "bio": "Films the sea.\nEvery morning."}, "me.png", testrig.Picture(t, 800, 600, "png"))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings?saved=1" {
		t.Fatalf("saving the profile: %d %s", resp.StatusCode, resp.Body)
	}
	icon := iconOf(t, a)
	if !strings.HasPrefix(icon, a.URL+"/media/") || !strings.HasSuffix(icon, ".png") {
		t.Fatalf("the icon is %q, want a PNG under %s/media/", icon, a.URL)
	}
	body := br.Get("/settings").Body
	if problems := checkHTML(body); len(problems) > 0 {
		t.Errorf("/settings with an avatar is not well-formed: %v", problems)
	}
	settings := parsePage(t, body)
	img := first(settings.root, element("img", "avatar"))
	if src, _ := attr(img, "src"); img == nil || src != icon {
		t.Errorf("the settings page does not show the avatar %s", icon)
	}
	if bio := first(settings.root, element("textarea", "")); bio == nil || bio.FirstChild == nil || bio.FirstChild.Data != "Films the sea.\nEvery morning." {
		t.Errorf("the settings page does not show the bio with its line break")
	}
	profile := parsePage(t, a.Browser().Get("/@alice").Body)
	if img := first(profile.root, element("img", "avatar")); img == nil {
		t.Error("alice's profile page does not show her avatar")
	} else if src, _ := attr(img, "src"); src != icon {
		t.Errorf("alice's profile page shows the avatar %q, want %q", src, icon)
	}
	got, err := http.Get(icon)
	if err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(got.Body)
	got.Body.Close()
	if got.StatusCode != http.StatusOK || got.Header.Get("Content-Type") != "image/png" || err != nil || format != "png" || cfg.Width != 400 || cfg.Height != 300 {
		t.Fatalf("GET %s: %d %s, %s %dx%d (%v); want a 400x300 PNG", icon, got.StatusCode, got.Header.Get("Content-Type"), format, cfg.Width, cfg.Height, err)
	}

	// The Person says so, and bob's server learns it from the Update.
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/users/alice", nil)
	req.Header.Set("Accept", "application/activity+json")
	doc := br.Do(req)
	var person struct {
		Name    string `json:"name"`
		Summary string `json:"summary"`
		Icon    struct {
			Type      string `json:"type"`
			MediaType string `json:"mediaType"`
			URL       string `json:"url"`
		} `json:"icon"`
	}
	if err := json.Unmarshal(doc.Body, &person); err != nil {
		t.Fatalf("the Person: %v: %s", err, doc.Body)
	}
	if person.Icon.URL != icon || person.Icon.Type != "Image" || person.Icon.MediaType != "image/png" ||
		person.Name != "Alice Liddell" || !strings.Contains(person.Summary, "Films the sea.") {
		t.Errorf("the Person: %s", doc.Body)
	}
	var onB struct {
		DisplayName string  `json:"display_name"`
		Summary     string  `json:"summary"`
		Avatar      *string `json:"avatar"`
	}
	testrig.Eventually(t, notifyWait, "bob's server never learnt alice's new profile", func() bool {
		b.API("GET", "/api/v1/accounts/alice@"+domainA, bob.Token, nil).JSON(t, &onB)
		return onB.Avatar != nil && *onB.Avatar == icon && onB.DisplayName == "Alice Liddell"
	})

	// A new picture takes a new address; the old file goes.
	resp = submitProfile(t, a, br, true, nil, "me.jpg", testrig.Picture(t, 300, 500, "jpeg"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("replacing the avatar: %d %s", resp.StatusCode, resp.Body)
	}
	newIcon := iconOf(t, a)
	if newIcon == icon || !strings.HasSuffix(newIcon, ".jpg") {
		t.Fatalf("the new icon is %q", newIcon)
	}
	if got, err := http.Get(icon); err != nil || got.StatusCode != http.StatusNotFound {
		t.Errorf("the replaced avatar is still served")
	} else {
		got.Body.Close()
	}
	if acct, _ := a.Store.AccountByName(context.Background(), "alice", ""); acct.DisplayName != "Alice Liddell" {
		t.Errorf("a form with only a picture changed the name to %q", acct.DisplayName)
	}
}

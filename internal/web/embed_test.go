package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/testrig"
)

// meta is the content of the <meta> tags in a page's head, by property= or name=.
func (p *page) meta() map[string]string {
	out := map[string]string{}
	for _, m := range find(p.root, element("meta", "")) {
		key, ok := attr(m, "property")
		if !ok {
			key, _ = attr(m, "name")
		}
		out[key], _ = attr(m, "content")
	}
	return out
}

// A link to a clip unfolds into a preview that shows the thumbnail, plays
// the MP4 and, for an AI clip, says so in its words.
func TestLinkPreviewsOfPages(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.CreateUser("bob", false)
	ai := inst.PublishVideo(bob, testrig.VideoFixture{Title: "Dream city", Description: "Neon streets at night", Synthetic: true})
	human := inst.PublishVideo(bob, testrig.VideoFixture{Title: "Tide pools", Description: "Low tide at dawn"})
	b := inst.Browser()

	watch := parsePage(t, b.Get("/videos/"+ai.ID).Body).meta()
	for key, want := range map[string]string{
		"og:type": "video.other", "og:title": "Dream city", "og:url": inst.URL + "/videos/" + ai.ID,
		"og:image": ai.ThumbnailURL, "og:video": inst.URL + "/media/" + ai.ID + "-720.mp4",
		"og:video:type": "video/mp4", "og:video:width": "720", "og:video:height": "1280",
		"twitter:card": "summary_large_image", // a player card needs https
	} {
		if watch[key] != want {
			t.Errorf("AI clip's %s = %q, want %q", key, watch[key], want)
		}
	}
	if d := watch["og:description"]; !strings.HasPrefix(d, "🤖 AI-generated (label: declared by the uploader).") || !strings.Contains(d, "Neon streets") {
		t.Errorf("AI clip's og:description does not lead with its label: %q", d)
	}
	if d := parsePage(t, b.Get("/videos/"+human.ID).Body).meta()["og:description"]; d != "Low tide at dawn" {
		t.Errorf("human clip's og:description: %q", d)
	}
	if m := parsePage(t, b.Get("/@bob").Body).meta(); m["og:type"] != "profile" || m["og:title"] != "bob" || m["og:url"] != inst.URL+"/@bob" {
		t.Errorf("profile preview: %v", m)
	}
	if m := parsePage(t, b.Get("/").Body).meta(); m["og:type"] != "website" || m["og:url"] != inst.URL+"/" || m["og:title"] == "" {
		t.Errorf("home preview: %v", m)
	}
}

// oEmbed is discovered from the watch page and answers with a player frame
// sized like the clip; it refuses what it cannot answer, each with its status.
func TestOEmbed(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.CreateUser("bob", false)
	ai := inst.PublishVideo(bob, testrig.VideoFixture{Title: `Dream "city"`, Synthetic: true})
	human := inst.PublishVideo(bob, testrig.VideoFixture{Title: "Tide pools"})
	b := inst.Browser()

	links := parsePage(t, b.Get("/videos/"+ai.ID).Body).feedLinks()["application/json+oembed"]
	if len(links) != 1 {
		t.Fatalf("oEmbed discovery links on the watch page: %v", links)
	}
	u, err := url.Parse(links[0])
	if err != nil || u.Query().Get("url") != inst.URL+"/videos/"+ai.ID {
		t.Fatalf("oEmbed link %q names the wrong page", links[0])
	}
	var o struct {
		Version, Type, Title, HTML                     string
		AuthorName                                     string `json:"author_name"`
		ProviderName                                   string `json:"provider_name"`
		ThumbnailURL                                   string `json:"thumbnail_url"`
		Width, Height, ThumbnailWidth, ThumbnailHeight int
	}
	r := b.Get(strings.TrimPrefix(links[0], inst.URL))
	if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("oEmbed: %d %s", r.StatusCode, r.Body)
	}
	r.JSON(t, &o)
	if o.Version != "1.0" || o.Type != "video" || o.Title != `Dream "city"` || o.AuthorName != "bob" || o.ProviderName == "" ||
		o.ThumbnailURL != ai.ThumbnailURL || o.Width != 720 || o.Height != 1280 {
		t.Errorf("oEmbed answer: %+v", o)
	}
	// The html is one iframe on the embed page, its title naming the label.
	frame, err := html.ParseFragment(strings.NewReader(o.HTML), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil || len(frame) != 1 || frame[0].Data != "iframe" {
		t.Fatalf("oEmbed html is not one iframe: %q", o.HTML)
	}
	src, _ := attr(frame[0], "src")
	title, _ := attr(frame[0], "title")
	if src != inst.URL+"/videos/"+ai.ID+"/embed" || title != `Dream "city" (AI-generated video)` {
		t.Errorf("iframe src %q, title %q", src, title)
	}

	r = b.Get("/oembed?" + url.Values{"url": {inst.URL + "/videos/" + human.ID}, "maxwidth": {"360"}}.Encode())
	r.JSON(t, &o)
	if o.Width != 360 || o.Height != 640 || !strings.Contains(o.HTML, `width="360" height="640"`) {
		t.Errorf("maxwidth=360: %dx%d %s", o.Width, o.Height, o.HTML)
	}

	for _, c := range []struct {
		name, query string
		status      int
	}{
		{"xml", url.Values{"url": {inst.URL + "/videos/" + ai.ID}, "format": {"xml"}}.Encode(), http.StatusNotImplemented},
		{"no url", "format=json", http.StatusBadRequest},
		{"bad maxwidth", url.Values{"url": {inst.URL + "/videos/" + ai.ID}, "maxwidth": {"wide"}}.Encode(), http.StatusBadRequest},
		{"unknown clip", url.Values{"url": {inst.URL + "/videos/01NOSUCHCLIP"}}.Encode(), http.StatusNotFound},
		{"another site", url.Values{"url": {"https://elsewhere.example/videos/" + ai.ID}}.Encode(), http.StatusNotFound},
		{"not a clip", url.Values{"url": {inst.URL + "/@bob"}}.Encode(), http.StatusNotFound},
	} {
		if r := b.Get("/oembed?" + c.query); r.StatusCode != c.status || !strings.Contains(string(r.Body), `"error"`) {
			t.Errorf("%s: %d %s, want %d with an error", c.name, r.StatusCode, r.Body, c.status)
		}
	}

	// An AI-free instance shows its labelled clips nowhere, embeds included.
	on := true
	if _, err := inst.Instance.Update(t.Context(), nil, instance.Change{AIFree: &on}); err != nil {
		t.Fatal(err)
	}
	if r := b.Get("/oembed?" + url.Values{"url": {inst.URL + "/videos/" + ai.ID}}.Encode()); r.StatusCode != http.StatusNotFound {
		t.Errorf("AI clip on an AI-free instance: oEmbed %d", r.StatusCode)
	}
	if r := b.Get("/videos/" + ai.ID + "/embed"); r.StatusCode != http.StatusNotFound {
		t.Errorf("AI clip on an AI-free instance: embed page %d", r.StatusCode)
	}
}

// The embed page may be framed by any site, unlike every other page; it
// shows the player, the label and the way back. The watch page offers its
// address and embed code to copy.
func TestEmbedPageAndShareSection(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.CreateUser("bob", false)
	ai := inst.PublishVideo(bob, testrig.VideoFixture{Title: "Dream city", Synthetic: true})
	b := inst.Browser()

	r := b.Get("/videos/" + ai.ID + "/embed")
	if csp := r.Header.Get("Content-Security-Policy"); r.StatusCode != http.StatusOK || !strings.Contains(csp, "frame-ancestors *") {
		t.Fatalf("embed page: %d, CSP %q", r.StatusCode, csp)
	}
	if csp := b.Get("/videos/" + ai.ID).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("watch page CSP %q: it must not be framed", csp)
	}
	if csp := b.Get("/videos/01NOSUCHCLIP/embed").Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") {
		t.Errorf("the embed's error page CSP %q: the frame would show the browser's refusal instead", csp)
	}
	p := parsePage(t, r.Body)
	if badge := first(p.root, element("p", "badge-ai")); badge == nil || !strings.Contains(textOf(badge), "AI-generated") {
		t.Errorf("the embed page does not show the AI label")
	}
	if src := first(p.root, element("source", "")); src == nil {
		t.Errorf("the embed page has no player")
	} else if s, _ := attr(src, "src"); s != inst.URL+"/media/"+ai.ID+"-720.mp4" {
		t.Errorf("the player plays %q", s)
	}
	back := first(p.root, func(n *html.Node) bool {
		h, _ := attr(n, "href")
		return n.Data == "a" && h == inst.URL+"/videos/"+ai.ID
	})
	if back == nil || textOf(back) != "Dream city" {
		t.Errorf("the embed page has no link back to the clip's page")
	}
	if first(p.root, element("form", "")) != nil || first(p.root, element("header", "")) != nil {
		t.Errorf("the embed page carries the site's chrome")
	}

	w := parsePage(t, b.Get("/videos/"+ai.ID).Body)
	field := func(id string) string {
		n := first(w.root, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
		if n == nil {
			t.Fatalf("no #%s on the watch page", id)
		}
		if _, ro := attr(n, "readonly"); !ro {
			t.Errorf("#%s is editable", id)
		}
		if v, ok := attr(n, "value"); ok {
			return v
		}
		return textOf(n)
	}
	if got := field("share-url"); got != inst.URL+"/videos/"+ai.ID {
		t.Errorf("share link %q", got)
	}
	if got := field("share-embed"); !strings.Contains(got, `<iframe src="`+inst.URL+"/videos/"+ai.ID+`/embed" width="360" height="640"`) {
		t.Errorf("embed code %q", got)
	}
}

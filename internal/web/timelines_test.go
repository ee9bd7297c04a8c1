package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
	"github.com/assay-social/assay/internal/testrig"
)

const settle = 15 * time.Second

// A title that needs escaping in HTML and XML alike.
const eveTitle = `eve-human: cats & <dogs> "quoted"`

// mixedFixture is instance A with alice (admin), bob and eve, and instance B
// with carol, whom alice follows: human and labelled clips on both, some
// tagged #cats. alice-edit is labelled AI-edited, the others AI-generated.
type mixedFixture struct {
	a, b           *testrig.Instance
	alice, bob     *testrig.User
	videos         map[string]*model.Video
	bDomain        string
	localAll       []string // newest first
	federatedAll   []string
	homeAll        []string // alice's
	bobAll         []string
	catsAll        []string
	human, aiEdits map[string]bool
}

func newMixedFixture(t *testing.T) *mixedFixture {
	t.Helper()
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	users := a.StandardUsers()
	f := &mixedFixture{a: a, b: b, alice: users.Admin, bob: users.User, videos: map[string]*model.Video{},
		bDomain: strings.TrimPrefix(b.URL, "http://")}
	eve := a.CreateUser("eve", false)
	carol := b.CreateUser("carol", false)
	for _, target := range []string{"bob", "carol@" + f.bDomain} {
		if resp := a.API("POST", "/api/v1/follows", f.alice.Token, map[string]string{"target": target}); resp.StatusCode != http.StatusOK {
			t.Fatalf("follow %s: %d %s", target, resp.StatusCode, resp.Body)
		}
	}
	testrig.Eventually(t, settle, "alice's follow of carol was never accepted", func() bool {
		c, err := a.Store.AccountByURI(context.Background(), carol.Account.URI)
		if err != nil {
			return false
		}
		fl, err := a.Store.FollowBetween(context.Background(), f.alice.AccountID, c.ID)
		return err == nil && fl.State == model.FollowAccepted
	})
	publish := func(inst *testrig.Instance, u *testrig.User, name, desc string, ai bool) {
		f.videos[name] = inst.PublishVideo(u, testrig.VideoFixture{Title: name, Description: desc, Synthetic: ai})
	}
	publish(a, f.alice, "alice-human", "", false)
	publish(a, f.alice, "alice-edit", "", true)
	publish(a, f.bob, "bob-human", "#cats", false)
	publish(a, f.bob, "bob-ai", "A robot's #cats\n\nsecond paragraph", true)
	publish(a, eve, eveTitle, "#cats", false)
	edit := f.videos["alice-edit"]
	edit.DigitalSourceType = provenance.CompositeWithTrainedAlgorithmicMedia
	if err := a.Store.UpdateVideo(context.Background(), edit); err != nil {
		t.Fatal(err)
	}
	publish(b, carol, "carol-human", "", false)
	testrig.Eventually(t, settle, "carol's first clip never reached A", func() bool {
		return len(f.titlesOf(t, a.Browser(), "/?timeline=federated")) == 6
	})
	publish(b, carol, "carol-ai", "#cats", true)
	testrig.Eventually(t, settle, "carol's clips never reached A", func() bool {
		return len(f.titlesOf(t, a.Browser(), "/?timeline=federated")) == 7
	})
	f.localAll = []string{eveTitle, "bob-ai", "bob-human", "alice-edit", "alice-human"}
	f.federatedAll = append([]string{"carol-ai", "carol-human"}, f.localAll...)
	f.homeAll = []string{"carol-ai", "carol-human", "bob-ai", "bob-human", "alice-edit", "alice-human"}
	f.bobAll = []string{"bob-ai", "bob-human"}
	f.catsAll = []string{"carol-ai", eveTitle, "bob-ai", "bob-human"}
	f.human = map[string]bool{"alice-human": true, "bob-human": true, eveTitle: true, "carol-human": true}
	return f
}

// idOnA is the id instance A gives a clip (remote clips get their own).
func (f *mixedFixture) idOnA(t *testing.T, name string) string {
	t.Helper()
	v, err := f.a.Store.VideoByURI(context.Background(), f.videos[name].URI)
	if err != nil {
		t.Fatalf("%s is not on A: %v", name, err)
	}
	return v.ID
}

func (f *mixedFixture) titlesOf(t *testing.T, b *testrig.Browser, path string) []string {
	t.Helper()
	resp := b.Get(path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: status %d", path, resp.StatusCode)
	}
	return parsePage(t, resp.Body).titles()
}

// filter keeps the names a media filter shows, in order.
func (f *mixedFixture) filter(all []string, media string, aiFree bool) []string {
	out := []string{}
	for _, name := range all {
		ai := !f.human[name]
		if (media == "human" && ai) || (media == "ai" && !ai) || (aiFree && ai) {
			continue
		}
		out = append(out, name)
	}
	return out
}

var filterLabel = map[string]string{"": "All", "all": "All", "human": "Human", "ai": "AI"}

// Every HTML timeline, under every filter, shows exactly the expected clips
// newest first, with the filter's tab marked current, a text label on each
// labelled clip that says where the label came from, and a thumbnail whose
// text alternative names the label.
func TestTimelinePagesShowExactlyTheFilteredClips(t *testing.T) {
	f := newMixedFixture(t)
	anon := f.a.Browser()
	alice := f.a.Browser()
	alice.Login(f.alice)

	pages := []struct {
		path    string
		browser *testrig.Browser
		all     []string
		tabs    []string // the timeline tabs, when the page has them
		current string
	}{
		{"/?timeline=local", anon, f.localAll, []string{"Local", "Federated"}, "Local"},
		{"/?timeline=federated", anon, f.federatedAll, []string{"Local", "Federated"}, "Federated"},
		{"/?timeline=home", alice, f.homeAll, []string{"Home", "Local", "Federated"}, "Home"},
		{"/@bob", anon, f.bobAll, nil, ""},
		{"/tags/cats", anon, f.catsAll, nil, ""},
		{"/tags/CATS", anon, f.catsAll, nil, ""},
	}
	for _, pg := range pages {
		for _, media := range []string{"", "all", "human", "ai"} {
			path := pg.path
			if media != "" {
				path += map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "media=" + media
			}
			resp := pg.browser.Get(path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", path, resp.StatusCode)
			}
			p := parsePage(t, resp.Body)
			if got, want := p.titles(), f.filter(pg.all, media, false); !slices.Equal(got, want) {
				t.Errorf("%s:\n got  %q\n want %q", path, got, want)
			}
			filters := p.tabs("Show")
			if labels := tabLabels(filters); !slices.Equal(labels, []string{"All", "Human", "AI"}) {
				t.Errorf("%s: filter tabs %q", path, labels)
			}
			if got := current(filters); got != filterLabel[media] {
				t.Errorf("%s: the current filter tab is %q, want %q", path, got, filterLabel[media])
			}
			timelines := p.tabs("Timeline")
			if labels := tabLabels(timelines); !slices.Equal(labels, pg.tabs) {
				t.Errorf("%s: timeline tabs %q, want %q", path, labels, pg.tabs)
			}
			if got := current(timelines); got != pg.current {
				t.Errorf("%s: the current timeline tab is %q, want %q", path, got, pg.current)
			}
		}
	}

	// The tabs are plain links that lead to what they say, keeping the
	// timeline: following "Human" on the federated page shows its human clips.
	p := parsePage(t, anon.Get("/?timeline=federated").Body)
	for _, tb := range p.tabs("Show") {
		next := parsePage(t, anon.Get(tb.URL).Body)
		if got := current(next.tabs("Show")); got != tb.Label {
			t.Errorf("the %q tab (%s) leads to a page whose current filter is %q", tb.Label, tb.URL, got)
		}
		if got := current(next.tabs("Timeline")); got != "Federated" {
			t.Errorf("the %q tab (%s) left the federated timeline for %q", tb.Label, tb.URL, got)
		}
	}

	// Without ?timeline= a visitor sees the local timeline, a logged-in
	// person their home timeline.
	if got := current(parsePage(t, anon.Get("/").Body).tabs("Timeline")); got != "Local" {
		t.Errorf("a visitor's front page shows %q, want Local", got)
	}
	if got := current(parsePage(t, alice.Get("/").Body).tabs("Timeline")); got != "Home" {
		t.Errorf("alice's front page shows %q, want Home", got)
	}

	// Tiles: title, author, thumbnail with a text alternative, and the label.
	tiles := map[string]tile{}
	for _, tl := range parsePage(t, anon.Get("/?timeline=federated").Body).tiles() {
		tiles[tl.Title] = tl
	}
	want := map[string]tile{
		"bob-human":  {Author: "bob", Alt: "Still from bob-human", Badge: ""},
		"bob-ai":     {Author: "bob", Alt: "Still from bob-ai (AI-generated clip)", Badge: "AI-generated · declared by the uploader"},
		"alice-edit": {Author: "alice", Alt: "Still from alice-edit (AI-edited clip)", Badge: "AI-edited · declared by the uploader"},
		"carol-ai":   {Author: "carol", Alt: "Still from carol-ai (AI-generated clip)", Badge: "AI-generated · labelled by " + f.bDomain},
		eveTitle:     {Author: "eve", Alt: "Still from " + eveTitle, Badge: ""},
	}
	for name, w := range want {
		got, ok := tiles[name]
		if !ok {
			t.Errorf("no tile for %s", name)
			continue
		}
		if got.Author != w.Author || got.Alt != w.Alt || got.Badge != w.Badge {
			t.Errorf("tile %s: author %q, alt %q, label %q\n want author %q, alt %q, label %q",
				name, got.Author, got.Alt, got.Badge, w.Author, w.Alt, w.Badge)
		}
		if got.URL != "/videos/"+f.idOnA(t, name) {
			t.Errorf("tile %s links to %q", name, got.URL)
		}
	}

	// The pages offer their feeds, with the filter.
	links := parsePage(t, anon.Get("/?timeline=local&media=human").Body).feedLinks()
	if !slices.Contains(links["application/atom+xml"], "/feeds/local.atom?media=human") ||
		!slices.Contains(links["application/rss+xml"], "/feeds/local.rss?media=human") {
		t.Errorf("the local page's feed links: %v", links)
	}
	for path, feed := range map[string]string{"/@bob": "/feeds/accounts/bob.atom", "/tags/cats?media=ai": "/feeds/tags/cats.atom?media=ai"} {
		if links := parsePage(t, anon.Get(path).Body).feedLinks(); !slices.Contains(links["application/atom+xml"], feed) {
			t.Errorf("%s offers %v, want %s", path, links, feed)
		}
	}

	// Wrong choices are explained, and home needs a login.
	for path, status := range map[string]int{
		"/?media=robots":        http.StatusBadRequest,
		"/?timeline=trending":   http.StatusBadRequest,
		"/tags/no%20such%20tag": http.StatusNotFound,
		"/@nobody":              http.StatusNotFound,
		"/@actor":               http.StatusNotFound,
	} {
		if resp := anon.Get(path); resp.StatusCode != status {
			t.Errorf("%s: status %d, want %d", path, resp.StatusCode, status)
		}
	}
	if resp := anon.Get("/?timeline=home"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Errorf("a visitor's home timeline: %d to %q, want a redirect to the login", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func tabLabels(tabs []tab) []string {
	var out []string
	for _, t := range tabs {
		out = append(out, t.Label)
	}
	return out
}

// Every feed, in both formats and under every filter, holds exactly the
// expected clips, each with its watch page, date, author, MP4 enclosure,
// thumbnail and — when labelled — the label as a category and a line.
func TestFeedsCarryTheFilteredClipsWithTheirLabels(t *testing.T) {
	f := newMixedFixture(t)
	feeds := []struct {
		base string
		all  []string
	}{
		{"/feeds/local", f.localAll},
		{"/feeds/federated", f.federatedAll},
		{"/feeds/accounts/bob", f.bobAll},
		{"/feeds/tags/cats", f.catsAll},
	}
	for _, fd := range feeds {
		for _, format := range []string{".atom", ".rss"} {
			for _, media := range []string{"", "all", "human", "ai"} {
				path := fd.base + format
				if media != "" {
					path += "?media=" + media
				}
				items := readFeed(t, f.a, path)
				if got, want := itemTitles(items), f.filter(fd.all, media, false); !slices.Equal(got, want) {
					t.Errorf("%s:\n got  %q\n want %q", path, got, want)
				}
			}
		}
	}

	for _, format := range []string{".atom", ".rss"} {
		items := map[string]feedItem{}
		for _, it := range readFeed(t, f.a, "/feeds/federated"+format) {
			items[it.Title] = it
		}
		for name, label := range map[string]string{
			"bob-ai":     "AI-generated (label: declared by the uploader)",
			"alice-edit": "AI-edited (label: declared by the uploader)",
			"carol-ai":   "AI-generated (labelled by " + f.bDomain + ")",
			"bob-human":  "",
			eveTitle:     "",
		} {
			it, v := items[name], f.videos[name]
			if label != "" {
				if !strings.Contains(it.Summary, label) {
					t.Errorf("%s %s: the summary does not carry the label %q:\n%s", format, name, label, it.Summary)
				}
				if !slices.Contains(it.Categories, "AIGenerated") {
					t.Errorf("%s %s: categories %q lack AIGenerated", format, name, it.Categories)
				}
			} else if strings.Contains(it.Summary, "AI-") || slices.Contains(it.Categories, "AIGenerated") {
				t.Errorf("%s %s: a human clip carries a label: %q %q", format, name, it.Categories, it.Summary)
			}
			if it.Link != f.a.URL+"/videos/"+f.idOnA(t, name) {
				t.Errorf("%s %s: link %q, want the watch page", format, name, it.Link)
			}
			if d := it.Published.Sub(v.PublishedAt); d < -time.Second || d > time.Second {
				t.Errorf("%s %s: published %v, want %v", format, name, it.Published, v.PublishedAt)
			}
			if !strings.HasPrefix(name, it.Author) || it.Author == "" {
				t.Errorf("%s %s: author %q", format, name, it.Author)
			}
			if it.Enclosure.Type != "video/mp4" || it.Enclosure.Length != 2400000 || !strings.HasSuffix(it.Enclosure.URL, "/media/"+v.ID+"-720.mp4") {
				t.Errorf("%s %s: enclosure %+v", format, name, it.Enclosure)
			}
			if !strings.HasSuffix(it.Thumbnail, "/media/"+v.ID+"-thumb.jpg") {
				t.Errorf("%s %s: thumbnail %q", format, name, it.Thumbnail)
			}
		}
		if it := items["bob-ai"]; !slices.Contains(it.Categories, "cats") || !strings.Contains(it.Summary, "A robot&#39;s #cats") && !strings.Contains(it.Summary, "A robot's #cats") {
			t.Errorf("%s bob-ai: the description or its tag is missing: %q %q", format, it.Categories, it.Summary)
		}
	}

	anon := f.a.Browser()
	for path, status := range map[string]int{
		"/feeds/home.atom":           http.StatusNotFound,
		"/feeds/local.json":          http.StatusNotFound,
		"/feeds/accounts/nobody.rss": http.StatusNotFound,
		"/feeds/local.atom?media=x":  http.StatusBadRequest,
	} {
		if resp := anon.Get(path); resp.StatusCode != status {
			t.Errorf("%s: status %d, want %d", path, resp.StatusCode, status)
		}
	}
}

// A long timeline ends its page with a link to the older clips, which
// continues exactly where the page stopped, filter kept.
func TestTimelinePagesContinueWithOlderClips(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	var want []string
	for i := range 22 {
		title := "clip-" + string(rune('a'+i))
		inst.PublishVideo(bob, testrig.VideoFixture{Title: title, Synthetic: i == 0})
		if i > 0 {
			want = append([]string{title}, want...)
		}
	}
	b := inst.Browser()
	var got []string
	path := "/@bob?media=human"
	for pages := 0; path != "" && pages < 5; pages++ {
		p := parsePage(t, b.Get(path).Body)
		got = append(got, p.titles()...)
		path = ""
		if a := first(p.root, func(n *html.Node) bool { v, _ := attr(n, "rel"); return n.Data == "a" && v == "next" }); a != nil {
			path, _ = attr(a, "href")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paging through bob's human clips:\n got  %q\n want %q", got, want)
	}
}

// A tile is rendered once and copied into later pages; an edit of the clip
// or a rename of its author shows on the very next page.
func TestTimelineTilesShowEditsAtOnce(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	v := inst.PublishVideo(bob, testrig.VideoFixture{Title: "before"})
	b := inst.Browser()
	for _, path := range []string{"/?timeline=local", "/@bob"} {
		if got := parsePage(t, b.Get(path).Body).titles(); !slices.Equal(got, []string{"before"}) {
			t.Fatalf("%s: %q", path, got)
		}
	}
	if r := inst.API("PATCH", "/api/v1/videos/"+v.ID, bob.Token, map[string]string{"title": "after"}); r.StatusCode != 200 {
		t.Fatalf("edit: %d %s", r.StatusCode, r.Body)
	}
	for _, path := range []string{"/?timeline=local", "/@bob"} {
		if got := parsePage(t, b.Get(path).Body).titles(); !slices.Equal(got, []string{"after"}) {
			t.Fatalf("%s right after the edit: %q", path, got)
		}
	}
	ctx := context.Background()
	a, err := inst.Store.AccountByID(ctx, bob.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	a.DisplayName = "Robert the Renamed"
	if err := inst.Store.UpdateAccountProfile(ctx, a); err != nil {
		t.Fatal(err)
	}
	if body := b.Get("/?timeline=local").Body; !strings.Contains(string(body), "Robert the Renamed") {
		t.Fatal("the tile does not show the author's new name right after the rename")
	}
}

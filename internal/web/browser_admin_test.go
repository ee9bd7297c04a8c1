package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/testrig"
)

// In a real browser, an admin generates a clip from the /generate page and
// watches its progress to a playable clip; then switches the instance to
// AI-free from /admin, sees the AI clip vanish from the timelines while the
// human one stays, and switches it back. On the way: the pages in light and
// dark, at a phone's 360 px without sideways scrolling, and the embed page
// framed by another site. The console must stay free of errors throughout.
func TestBrowserGenerateAndAIFreeSwitch(t *testing.T) {
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = testrig.FFmpegBuilds(t)[0] }))
	users := inst.StandardUsers()
	ctx := testrig.Chromium(t, 4*time.Minute)
	clip, err := filepath.Abs(filepath.Join("..", "media", "testdata", "h264-aac.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	// A human clip by bob, processed for real so its thumbnail exists.
	if r := inst.Upload(users.User.Token, "waves.mp4", mustReadClip(t, clip), map[string]string{"title": "Waves at the beach", "source": "human"}); r.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d %s", r.StatusCode, r.Body)
	}
	evaluate := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluating %s: %v", js, err)
		}
		return s
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(inst.URL+"/login"),
		chromedp.SendKeys("#username", users.Admin.Username),
		chromedp.SendKeys("#password", users.Admin.Password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible(".whoami"),
	)
	if err != nil {
		t.Fatalf("logging in: %v", err)
	}

	// (a) Generate from the form, follow the progress page to the clip.
	err = chromedp.Do(ctx,
		chromedp.Navigate(inst.URL+"/generate"),
		chromedp.SendKeys("#gen-prompt", "a paper boat on a pond"),
		chromedp.SetValue("#gen-seconds", "2"),
		chromedp.Click(`form[action="/generate"] button[type=submit]`),
	)
	if err != nil {
		t.Fatalf("submitting the generate form: %v", err)
	}
	testrig.Eventually(t, 30*time.Second, "the progress page", func() bool {
		u, err := chromedp.Run(ctx, chromedp.Location())
		return err == nil && strings.Contains(u, "/generate/")
	})
	if err := chromedp.Do(ctx, chromedp.WaitVisible("#gen-progress")); err != nil {
		t.Fatalf("the progress bar: %v", err)
	}
	testrig.Screenshot(t, ctx, "generate-progress")
	testrig.Eventually(t, 2*time.Minute, "the progress page to reach done and link the clip", func() bool {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const s = document.getElementById('gen-state'), a = document.getElementById('gen-result');
			return (s ? s.textContent.trim() : '') + ' ' + (a ? 'linked' : '');
		})()`))
		return err == nil && s == "succeeded linked"
	})
	if err := chromedp.Do(ctx, chromedp.Click("#gen-result")); err != nil {
		t.Fatalf("opening the generated clip: %v", err)
	}
	var watchURL string
	testrig.Eventually(t, time.Minute, "the generated clip's page to show the player once processed", func() bool {
		u, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.Contains(u, "/videos/") {
			return false
		}
		watchURL = u
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll('video.player').length"))
		if err == nil && n == 1 {
			return true
		}
		chromedp.Do(ctx, chromedp.Navigate(u)) //nolint:errcheck // the next round looks again
		return false
	})
	testrig.Eventually(t, 30*time.Second, "the generated clip to have data to play (readyState ≥ 2)", func() bool {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const v = document.querySelector('video.player'); v.muted = true; v.play().catch(() => {}); return v.readyState })()`))
		return err == nil && state >= 2
	})
	if badge := evaluate(`document.querySelector('.watch .badge-ai')?.textContent ?? ''`); !strings.Contains(badge, "AI-generated") {
		t.Errorf("the generated clip's badge: %q", badge)
	}
	if code := evaluate(`document.getElementById('share-embed')?.value ?? ''`); !strings.Contains(code, "/embed") || !strings.Contains(code, "<iframe") {
		t.Errorf("the share section's embed code: %q", code)
	}
	testrig.Screenshot(t, ctx, "watch")

	// The embed page in another site's frame: allowed, and it plays.
	embedURL := strings.TrimSuffix(watchURL, "/") + "/embed"
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><title>A blog</title></head><body><h1>My blog</h1><iframe src="%s" width="360" height="640" title="clip"></iframe></body></html>`, embedURL)
	}))
	t.Cleanup(other.Close)
	if err := chromedp.Do(ctx, chromedp.Navigate(other.URL)); err != nil {
		t.Fatal(err)
	}
	testrig.Eventually(t, 30*time.Second, "the embed page to load inside the other site's frame", func() bool {
		tree, err := chromedp.Call(ctx, cdppage.GetFrameTree, cdp.Empty{})
		if err != nil || len(tree.FrameTree.ChildFrames) != 1 {
			return false
		}
		f := tree.FrameTree.ChildFrames[0].Frame
		return f.URL == embedURL && f.UnreachableURL == ""
	})
	testrig.Screenshot(t, ctx, "embed-framed")

	// (b) The AI-free switch on the admin page.
	tiles := func(query string) []string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(inst.URL+"/?"+query)); err != nil {
			t.Fatal(err)
		}
		// Each tile as its label and title: "AI" for the generated clip (its
		// title is not what this test is about), "human: TITLE" otherwise.
		titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.tile')].map(e =>
			e.querySelector('.badge-ai') ? 'AI' : 'human: ' + e.querySelector('.tile-title').textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(titles)
		return titles
	}
	both := []string{"AI", "human: Waves at the beach"}
	testrig.Eventually(t, time.Minute, "both clips on the local timeline", func() bool {
		return slices.Equal(tiles("timeline=local"), both)
	})
	setAIFree := func(value string) {
		t.Helper()
		err := chromedp.Do(ctx,
			chromedp.Navigate(inst.URL+"/admin"),
			chromedp.Click(`input[name=ai_free][value=`+value+`]`),
			chromedp.Click(`form[action="/admin"] button[type=submit]`),
			chromedp.WaitVisible(`.notice[role=status]`),
		)
		if err != nil {
			t.Fatalf("switching AI-free %s: %v", value, err)
		}
		if got := evaluate(`document.querySelector('input[name=ai_free]:checked').value`); got != value {
			t.Errorf("after saving, the admin page shows AI-free %q, want %q", got, value)
		}
	}
	setAIFree("on")
	testrig.Screenshot(t, ctx, "admin")
	if hdr := evaluate(`document.querySelector('.site-header')?.textContent ?? ''`); !strings.Contains(hdr, "AI-free instance") {
		t.Errorf("the header does not say the instance is AI-free: %q", hdr)
	}
	for _, q := range []string{"timeline=local", "timeline=local&media=all", "timeline=federated", "timeline=local&media=human"} {
		if got := tiles(q); !slices.Equal(got, []string{"human: Waves at the beach"}) {
			t.Errorf("AI-free on, /?%s shows %v, want only the human clip", q, got)
		}
	}
	if got := tiles("timeline=local&media=ai"); len(got) != 0 {
		t.Errorf("AI-free on, the AI tab shows %v", got)
	}
	setAIFree("off")
	testrig.Eventually(t, 10*time.Second, "the AI clip back on the local timeline", func() bool {
		return slices.Equal(tiles("timeline=local"), both)
	})

	// Light and dark, as the system asks.
	background := func() string { return evaluate(`getComputedStyle(document.body).backgroundColor`) }
	tiles("timeline=local")
	light := background()
	testrig.Screenshot(t, ctx, "home-light")
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	dark := background()
	testrig.Screenshot(t, ctx, "home-dark")
	if light == dark {
		t.Errorf("the page looks the same in light and dark: background %s", light)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}

	// A phone's width: nothing scrolls sideways.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 780)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ name, url string }{
		{"home-360", inst.URL + "/?timeline=local"}, {"watch-360", watchURL}, {"admin-360", inst.URL + "/admin"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(p.url)); err != nil {
			t.Fatal(err)
		}
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if err != nil {
			t.Fatal(err)
		}
		if w > 360 {
			t.Errorf("%s: the page is %d px wide at a 360 px viewport: it scrolls sideways", p.url, w)
		}
		testrig.Screenshot(t, ctx, p.name)
	}
}

package web_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/testrig"
)

// In a real browser: sign up, log out and in again, upload a clip and watch
// it play, then split
// the local timeline into human and AI clips with the tabs. The console
// must stay free of errors throughout.
func TestBrowserSignUpUploadWatchAndFilter(t *testing.T) {
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = testrig.FFmpegBuilds(t)[0] }))
	ctx := testrig.Chromium(t, 3*time.Minute)
	clip, err := filepath.Abs(filepath.Join("..", "media", "testdata", "h264-aac.mp4"))
	if err != nil {
		t.Fatal(err)
	}

	// Sign up.
	err = chromedp.Do(ctx,
		chromedp.Navigate(inst.URL+"/signup"),
		chromedp.SendKeys("#username", "carol"),
		chromedp.SendKeys("#password", "a long enough password"),
		chromedp.Submit("#password"),
		chromedp.WaitVisible(".whoami"),
	)
	if err != nil {
		t.Fatalf("signing up: %v", err)
	}
	testrig.Screenshot(t, ctx, "home-after-signup")

	// Log out, and in again through the login form.
	err = chromedp.Do(ctx,
		chromedp.Click(`form[action="/logout"] button`),
		chromedp.WaitNotPresent(".whoami"),
		chromedp.Navigate(inst.URL+"/login"),
		chromedp.SendKeys("#username", "carol"),
		chromedp.SendKeys("#password", "a long enough password"),
		chromedp.Submit("#password"),
		chromedp.WaitVisible(".whoami"),
	)
	if err != nil {
		t.Fatalf("logging out and in again: %v", err)
	}

	// Upload through the form (its script shows progress and follows the redirect).
	err = chromedp.Do(ctx,
		chromedp.Navigate(inst.URL+"/upload"),
		chromedp.SendKeys("#upload-title", "Waves at the beach"),
		chromedp.SetUploadFiles("#upload-file", []string{clip}),
		chromedp.Click("#upload-form button[type=submit]"),
	)
	if err != nil {
		t.Fatalf("uploading: %v", err)
	}
	testrig.Screenshot(t, ctx, "upload")
	var watch string
	testrig.Eventually(t, time.Minute, "the upload to land on its watch page", func() bool {
		u, err := chromedp.Run(ctx, chromedp.Location())
		watch = u
		return err == nil && strings.Contains(u, "/videos/")
	})
	testrig.Eventually(t, time.Minute, "the player to appear once processed", func() bool {
		if err := chromedp.Do(ctx, chromedp.Navigate(watch)); err != nil {
			return false
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll('video.player').length"))
		return err == nil && n == 1
	})
	testrig.Eventually(t, 30*time.Second, "the video element to have data to play (readyState ≥ 2)", func() bool {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const v = document.querySelector('video.player'); v.muted = true; v.play().catch(() => {}); return v.readyState })()`))
		return err == nil && state >= 2
	})
	testrig.Screenshot(t, ctx, "watch")

	// A labelled clip from someone else, then the tabs.
	dan := inst.CreateUser("dan", false)
	r := inst.Upload(dan.Token, "dream.mp4", mustReadClip(t, clip), map[string]string{"title": "Dream city", "source": "ai"})
	if r.StatusCode != 202 {
		t.Fatalf("AI upload: %d %s", r.StatusCode, r.Body)
	}
	tiles := func(query string) []string {
		if err := chromedp.Do(ctx, chromedp.Navigate(inst.URL+"/?timeline=local"+query)); err != nil {
			t.Fatal(err)
		}
		titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.tile-title')].map(e => e.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(titles)
		return titles
	}
	testrig.Eventually(t, time.Minute, "both clips on the local timeline", func() bool {
		return len(tiles("&media=all")) == 2
	})
	testrig.Screenshot(t, ctx, "timeline-all")
	if got := tiles("&media=human"); !slices.Equal(got, []string{"Waves at the beach"}) {
		t.Errorf("Human tab shows %v", got)
	}
	if got := tiles("&media=ai"); !slices.Equal(got, []string{"Dream city"}) {
		t.Errorf("AI tab shows %v", got)
	}
	badge, err := chromedp.Run(ctx, chromedp.Text(".tile .badge-ai"))
	if err != nil || !strings.Contains(badge, "AI-generated") {
		t.Errorf("the AI tile's badge: %q %v", badge, err)
	}
	testrig.Screenshot(t, ctx, "timeline-ai")
}

func mustReadClip(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

// publishPlayable publishes a clip by u whose files exist in inst's media
// storage, so another server's pages load its poster and video without a
// 404 (which the browser would report as a console error).
func publishPlayable(t *testing.T, inst *testrig.Instance, u *testrig.User, title string) *model.Video {
	t.Helper()
	v := inst.PublishVideo(u, testrig.VideoFixture{Title: title})
	clip, err := os.ReadFile(filepath.Join("..", "media", "testdata", "h264-aac.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	for key, content := range map[string][]byte{v.ID + "-720.mp4": clip, v.ID + "-thumb.jpg": testrig.Picture(t, 360, 640, "jpeg")} {
		src := filepath.Join(t.TempDir(), key)
		if err := os.WriteFile(src, content, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := inst.Media.Put(t.Context(), key, src); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

// In a real browser, with two real servers: erin on A finds dave of B with
// the "follow someone on another server" box and follows him; dave
// publishes a clip, which shows up on erin's home timeline; erin likes it
// and comments on it from the watch page, and B sees the like and the
// comment. Last, as a visitor of B, she follows dave "from her own server"
// and lands on his page on A. The console must stay free of errors throughout.
func TestBrowserFollowLikeAndCommentAcrossServers(t *testing.T) {
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	erin := a.CreateUser("erin", false)
	dave := b.CreateUser("dave", false)
	daveAt := "dave@" + domainOf(b)
	ctx := testrig.Chromium(t, 3*time.Minute)
	evaluate := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluating %s: %v", js, err)
		}
		return s
	}

	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys("#username", erin.Username),
		chromedp.SendKeys("#password", erin.Password),
		chromedp.Submit("#password"),
		chromedp.WaitVisible(".whoami"),
	)
	if err != nil {
		t.Fatalf("logging in: %v", err)
	}

	// The box on the home page leads to dave's profile here; Follow.
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#follow-elsewhere", daveAt),
		chromedp.Submit("#follow-elsewhere"),
		chromedp.WaitVisible(".follow-button"),
	)
	if err != nil {
		t.Fatalf("looking dave up: %v", err)
	}
	if got := evaluate(`document.querySelector('.profile .handle').textContent.trim()`); got != "@"+daveAt {
		t.Fatalf("the box led to the profile of %q", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(".follow-button"), chromedp.WaitVisible(".follow-state")); err != nil {
		t.Fatalf("following: %v", err)
	}
	testrig.Eventually(t, 20*time.Second, "B to accept erin's follow", func() bool {
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(".follow-button")); err != nil {
			return false
		}
		return evaluate(`document.querySelector('.follow-button').textContent.trim()`) == "Unfollow"
	})

	// dave publishes; the clip reaches erin's home timeline.
	v := publishPlayable(t, b, dave, "Lanterns over the river")
	testrig.Eventually(t, 20*time.Second, "dave's clip on erin's home timeline", func() bool {
		if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/")); err != nil {
			return false
		}
		titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.tile-title')].map(e => e.textContent.trim())`))
		return err == nil && slices.Contains(titles, "Lanterns over the river")
	})

	// dave's page on A lists it too.
	err = chromedp.Do(ctx, chromedp.Navigate(a.URL+"/@"+daveAt), chromedp.WaitVisible(".tile-title"))
	if err != nil {
		t.Fatalf("dave's profile on A: %v", err)
	}
	if got := evaluate(`document.querySelector('.tile-title').textContent.trim()`); got != "Lanterns over the river" {
		t.Errorf("dave's profile on A lists %q", got)
	}
	testrig.Screenshot(t, ctx, "remote-profile")

	// Watch it on A and like it: the script sends the form in the
	// background, so the page stays (the marker survives) and the keyboard
	// focus stays on the button, now Unlike.
	err = chromedp.Do(ctx,
		chromedp.Click(".tile-link"),
		chromedp.WaitVisible("button.react-like"),
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true`),
		chromedp.Click("button.react-like"),
		chromedp.WaitVisible("button.react-like.react-on"),
	)
	if err != nil {
		t.Fatalf("liking: %v", err)
	}
	if got := evaluate(`(window.stillHere ? "same page, " : "reloaded, ") + document.activeElement.textContent.trim()`); got != "same page, Unlike" {
		t.Errorf("after liking: %s; want the same page with the focus on Unlike", got)
	}

	// Comment (a plain form).
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#comment-text", "The light on the water is wonderful"),
		chromedp.Click(".comment-form button[type=submit]"),
		chromedp.WaitVisible(".comment-list .comment"),
	)
	if err != nil {
		t.Fatalf("commenting: %v", err)
	}
	if got := evaluate(`document.querySelector('.counts').textContent.replace(/\s+/g, ' ').trim()`); got != "1 like · 0 boosts · 1 comment" {
		t.Errorf("the watch page counts %q", got)
	}
	if got := evaluate(`document.querySelector('.comment-list .comment .comment-body').textContent.trim()`); got != "The light on the water is wonderful" {
		t.Errorf("the comment shows as %q", got)
	}
	testrig.Eventually(t, 10*time.Second, "the player to load dave's clip from B", func() bool {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector('video.player').readyState`))
		return err == nil && n >= 1
	})
	testrig.Screenshot(t, ctx, "watch-remote-with-comments")

	// B has both.
	testrig.Eventually(t, 20*time.Second, "the like and the comment to reach B", func() bool {
		var got struct{ Likes, Comments int }
		resp := b.API("GET", "/api/v1/videos/"+v.ID, "", nil)
		resp.JSON(t, &got)
		return got.Likes == 1 && got.Comments == 1
	})
	// "Follow from your own server" on B, as a visitor there: erin gives her
	// address on A and lands on dave's page on A, where she is logged in.
	err = chromedp.Do(ctx,
		chromedp.Navigate(b.URL+"/@dave"),
		chromedp.WaitVisible("#remote-handle"),
	)
	if err != nil {
		t.Fatalf("dave's profile on B: %v", err)
	}
	testrig.Screenshot(t, ctx, "profile-follow-from-your-server")
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#remote-handle", "erin@"+domainOf(a)),
		chromedp.Submit("#remote-handle"),
		chromedp.WaitVisible(".follow-button"),
	)
	if err != nil {
		t.Fatalf("following from her own server: %v", err)
	}
	if u, err := chromedp.Run(ctx, chromedp.Location()); err != nil || u != a.URL+"/@"+daveAt {
		t.Errorf("the remote follow led to %q (%v), want dave's page on A", u, err)
	}
	if got := evaluate(`document.querySelector('.follow-button').textContent.trim()`); got != "Unfollow" {
		t.Errorf("dave's page on A offers %q to erin, who follows him", got)
	}

	resp := b.Browser().Get("/videos/" + v.ID)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dave's watch page on B: %d", resp.StatusCode)
	}
	comments := parsePage(t, resp.Body).comments()
	if len(comments) != 1 || comments[0].Author != "erin" || !strings.Contains(comments[0].Body, "The light on the water is wonderful") {
		t.Errorf("B's watch page shows the comments %+v", comments)
	}
}

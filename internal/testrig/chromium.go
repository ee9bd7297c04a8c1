package testrig

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvRequireBrowser makes a missing Chromium a failure instead of a skip;
// .ci/run installs Debian's chromium and sets it.
const EnvRequireBrowser = "ASSAY_REQUIRE_BROWSER"

// Chromium starts a headless Chromium for the test and returns a context
// for chromedp actions in one tab. Any console error or uncaught exception
// on a page fails the test when it ends.
func Chromium(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv(EnvRequireBrowser) == "1" {
			t.Fatalf("%s=1 but no Chromium is installed (apt-get install chromium)", EnvRequireBrowser)
		}
		t.Skip("Chromium is not installed: skipping the browser test (apt-get install chromium to run it)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
		t.Fatalf("starting Chromium (%s): %v", path, err)
	}
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s at %s: %s", m.Type, m.URL, strings.TrimSpace(m.Text)))
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
		cancelAlloc()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return ctx
}

// Screenshot saves a PNG of the current page under ASSAY_ARTIFACTS (or the
// test's temporary directory) and returns its path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	dir := os.Getenv("ASSAY_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	os.MkdirAll(dir, 0o755) //nolint:errcheck // the write below reports
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	path := dir + "/" + name + ".png"
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
	return path
}

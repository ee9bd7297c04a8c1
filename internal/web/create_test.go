package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/testrig"
)

// uploadForm builds the upload page's multipart body, fields in the page's
// order (the token first, the file last).
func uploadForm(t *testing.T, token string, file []byte) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", token)
	mw.WriteField("title", "From the browser")
	mw.WriteField("source", "human")
	fw, _ := mw.CreateFormFile("file", "clip.mp4")
	fw.Write(file)
	mw.Close()
	return &body, mw.FormDataContentType()
}

// A person uploads from the web form and lands on the clip's page; a form
// without its token is refused before anything is stored.
func TestUploadFromTheWebForm(t *testing.T) {
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = testrig.FFmpegBuilds(t)[0] }))
	bob := inst.CreateUser("bob", false)
	b := inst.Browser()
	if r := b.Get("/upload"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("logged out, /upload: %d, want a redirect to log in", r.StatusCode)
	}
	b.Login(bob)
	page := b.Get("/upload")
	if page.StatusCode != 200 || !strings.Contains(string(page.Body), `enctype="multipart/form-data"`) || !strings.Contains(string(page.Body), "upload-progress") {
		t.Fatalf("upload page: %d", page.StatusCode)
	}
	clip, err := os.ReadFile(filepath.Join("..", "media", "testdata", "h264-aac.mp4"))
	if err != nil {
		t.Fatal(err)
	}

	body, ctype := uploadForm(t, "forged", clip)
	req, _ := http.NewRequest("POST", inst.URL+"/upload", body)
	req.Header.Set("Content-Type", ctype)
	if r := b.Do(req); r.StatusCode != http.StatusForbidden {
		t.Errorf("forged token: %d, want 403", r.StatusCode)
	}
	if left := inst.Files("uploads"); len(left) != 0 {
		t.Errorf("a refused form left files: %v", left)
	}

	body, ctype = uploadForm(t, b.CSRF("/upload"), clip)
	req, _ = http.NewRequest("POST", inst.URL+"/upload", body)
	req.Header.Set("Content-Type", ctype)
	r := b.Do(req)
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/videos/") {
		t.Fatalf("upload: %d to %q: %s", r.StatusCode, loc, r.Body)
	}
	testrig.Eventually(t, time.Minute, "the clip's page to show the player", func() bool {
		p := b.Get(loc)
		return p.StatusCode == 200 && strings.Contains(string(p.Body), "<video")
	})
}

// A prompt typed into /generate is followed to a finished clip.
func TestGenerateFromTheWebForm(t *testing.T) {
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = testrig.FFmpegBuilds(t)[0] }))
	bob := inst.CreateUser("bob", false)
	b := inst.Browser()
	b.Login(bob)
	r := b.Submit("/generate", "/generate", url.Values{"prompt": {"tiny paper boats"}, "duration_seconds": {"1"}, "aspect": {"1:1"}, "show_prompt": {"on"}})
	loc := r.Header.Get("Location")
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/generate/") {
		t.Fatalf("generate: %d to %q: %s", r.StatusCode, loc, r.Body)
	}
	first := b.Get(loc)
	if !strings.Contains(string(first.Body), "<progress") || !strings.Contains(string(first.Body), "tiny paper boats") {
		t.Errorf("progress page: %s", first.Body)
	}
	var watch string
	testrig.Eventually(t, 2*time.Minute, "the generation page to link the clip", func() bool {
		m := regexp.MustCompile(`id="gen-result" href="([^"]+)"`).FindSubmatch(b.Get(loc).Body)
		if m != nil {
			watch = string(m[1])
		}
		return m != nil
	})
	// The clip's page says it was generated here, by what, and from which prompt.
	testrig.Eventually(t, time.Minute, "the generated clip's page", func() bool {
		p := string(b.Get(watch).Body)
		return strings.Contains(p, "<video") && strings.Contains(p, "Generated on this server with") &&
			strings.Contains(p, "tiny paper boats") && strings.Contains(p, "AI-generated")
	})
	if other := inst.CreateUser("eve", false); true {
		ob := inst.Browser()
		ob.Login(other)
		if p := ob.Get(loc); p.StatusCode != http.StatusNotFound {
			t.Errorf("someone else's generation page: %d", p.StatusCode)
		}
	}
	if r := b.Submit("/generate", "/generate", url.Values{"prompt": {""}}); r.StatusCode != http.StatusBadRequest || !strings.Contains(string(r.Body), "prompt") {
		t.Errorf("empty prompt: %d", r.StatusCode)
	}

	// On an AI-free instance the page says why there is nothing to do here.
	on := true
	if _, err := inst.Instance.Update(t.Context(), nil, instance.Change{AIFree: &on}); err != nil {
		t.Fatal(err)
	}
	if p := b.Get("/generate"); p.StatusCode != http.StatusForbidden || !strings.Contains(string(p.Body), "AI-free") {
		t.Errorf("/generate on an AI-free instance: %d", p.StatusCode)
	}
	if r := b.Submit("/generate", "/generate", url.Values{"prompt": {"boats"}}); r.StatusCode != http.StatusForbidden || !strings.Contains(string(r.Body), "AI-free") {
		t.Errorf("generating on an AI-free instance: %d", r.StatusCode)
	}
}

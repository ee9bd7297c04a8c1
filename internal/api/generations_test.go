package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
	"github.com/assay-social/assay/internal/testrig"
)

type generationView struct {
	ID       string  `json:"id"`
	State    string  `json:"state"`
	Progress int     `json:"progress"`
	VideoID  *string `json:"video_id"`
	Error    *string `json:"error"`
}

func waitGeneration(t *testing.T, inst *testrig.Instance, token, id string) generationView {
	t.Helper()
	var g generationView
	testrig.Eventually(t, 3*time.Minute, "generation "+id+" to finish", func() bool {
		inst.API("GET", "/api/v1/generations/"+id, token, nil).JSON(t, &g)
		return g.State == "succeeded" || g.State == "failed"
	})
	return g
}

// A prompt becomes a real, labelled MP4 that travels labelled to a follower
// on another instance, naming its generator.
func TestProceduralGenerationEndToEnd(t *testing.T) {
	build := testrig.FFmpegBuilds(t)[0]
	a := testrig.NewInstance(t, testrig.OnHost("127.0.0.1"), testrig.Configure(func(c *config.Config) { c.FFmpeg = build }))
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"))
	alice := a.CreateUser("alice", false)
	bob := b.CreateUser("bob", false)
	domainA := strings.TrimPrefix(a.URL, "http://")
	if r := b.API("POST", "/api/v1/follows", bob.Token, map[string]string{"target": "alice@" + domainA}); r.StatusCode >= 300 {
		t.Fatalf("follow: %d %s", r.StatusCode, r.Body)
	}
	testrig.Eventually(t, time.Minute, "follow accepted", func() bool {
		acct, err := b.Store.AccountByURI(context.Background(), alice.Account.URI)
		if err != nil {
			return false
		}
		f, err := b.Store.FollowBetween(context.Background(), bob.AccountID, acct.ID)
		return err == nil && f.State == model.FollowAccepted
	})

	r := a.API("POST", "/api/v1/generations", alice.Token, map[string]any{
		"prompt": "a lighthouse in a storm at dusk", "duration_seconds": 2, "aspect": "9:16", "show_prompt": true,
	})
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("request: %d %s", r.StatusCode, r.Body)
	}
	var g generationView
	r.JSON(t, &g)
	if g.State != "queued" {
		t.Errorf("a new generation is %q, want queued", g.State)
	}
	if other := a.CreateUser("mallory", false); a.API("GET", "/api/v1/generations/"+g.ID, other.Token, nil).StatusCode != 404 {
		t.Error("another user can read someone's generation")
	}
	g = waitGeneration(t, a, alice.Token, g.ID)
	if g.State != "succeeded" || g.VideoID == nil || g.Progress != 100 {
		t.Fatalf("generation: %+v (error %v)", g, g.Error)
	}
	v := settleUpload(t, a, alice.Token, *g.VideoID)
	if v.State != "ready" || !v.Synthetic || *v.LabelSource != "generated" || *v.DigitalSource != provenance.TrainedAlgorithmicMedia {
		t.Fatalf("video: %+v", v)
	}
	if v.Title != "a lighthouse in a storm at dusk" { // no title given, prompt shown: the prompt names it
		t.Errorf("the generated clip is titled %q", v.Title)
	}
	served := filepath.Join(t.TempDir(), "served.mp4")
	os.WriteFile(served, readAll(t, get(t, v.Media[0].URL)), 0o600)
	ff, _ := media.NewFFmpeg(build, filepath.Join(os.TempDir(), "assay-test-wasm-cache"))
	info, err := media.Probe(context.Background(), ff, served)
	if err != nil || info.Video == nil || info.Video.Codec != "h264" || info.Duration < 1.9 || info.Duration > 2.2 {
		t.Fatalf("ffprobe of the generated clip: %v %+v", err, info)
	}
	if w, h := info.Video.Display(); !(w == 720 && h == 1280) && !(w == 480 && h == 854) {
		t.Errorf("a 9:16 request came out %d×%d", w, h)
	}
	found, err := provenance.DetectFile(served)
	if err != nil || !found.Synthetic || found.DigitalSourceType != provenance.TrainedAlgorithmicMedia {
		t.Errorf("the XMP label is not in the file: %v %+v", err, found)
	}

	// On the follower's instance it arrives labelled, naming the generator.
	var remote []struct {
		Title       string  `json:"title"`
		Synthetic   bool    `json:"synthetic"`
		LabelSource *string `json:"label_source"`
		Description string  `json:"description"`
	}
	testrig.Eventually(t, time.Minute, "the clip reaching the follower", func() bool {
		b.API("GET", "/api/v1/timelines/home", bob.Token, nil).JSON(t, &remote)
		return len(remote) == 1
	})
	if !remote[0].Synthetic || remote[0].LabelSource == nil || *remote[0].LabelSource != "remote" {
		t.Errorf("the follower's copy is not labelled: %+v", remote[0])
	}
	req, _ := http.NewRequest("GET", a.URL+"/videos/"+v.ID, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		body := readAll(t, resp)
		if !strings.Contains(string(body), "made with assay-procedural-1") {
			t.Errorf("the Video's summary does not name the generator: %s", body)
		}
	}

	// The same prompt gives the same clip.
	r = a.API("POST", "/api/v1/generations", alice.Token, map[string]any{
		"prompt": "a lighthouse in a storm at dusk", "duration_seconds": 2, "aspect": "9:16", "title": "Storm light",
	})
	r.JSON(t, &g)
	g = waitGeneration(t, a, alice.Token, g.ID)
	v2 := settleUpload(t, a, alice.Token, *g.VideoID)
	if v2.Title != "Storm light" {
		t.Errorf("a clip generated with a title is titled %q", v2.Title)
	}
	again := filepath.Join(filepath.Dir(served), "again.mp4")
	os.WriteFile(again, readAll(t, get(t, v2.Media[0].URL)), 0o600)
	if streamHash(t, ff, served) != streamHash(t, ff, again) {
		t.Error("the same prompt gave a different picture")
	}
}

func streamHash(t *testing.T, ff media.FFmpeg, path string) string {
	out, err := ff.Run(context.Background(), filepath.Dir(path), "ffmpeg", "-v", "error", "-i", path, "-map", "0:v:0", "-f", "md5", "-")
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// 20 requests at once with a per-user concurrency of 2 all finish, and the
// service never sees more than 2 in progress; a 429 on the way is retried.
func TestGenerationConcurrencyAndRetries(t *testing.T) {
	fake := &testrig.FakeVideosAPI{Key: "sk-test", Steps: 10, RateLimited: 1, MP4: clip(t, "h264-aac.mp4")}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) {
		c.Generator, c.GeneratorURL, c.GeneratorAPIKey, c.GeneratorModel = "openai-compatible", srv.URL, "sk-test", "fake-video-1"
		c.GeneratorPoll = 20 * time.Millisecond
		c.GenerationConcurrency = 2
		c.FFmpeg = testrig.FFmpegBuilds(t)[0]
	}))
	bob := inst.CreateUser("bob", false)
	ids := make([]string, 20)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "clip", "duration_seconds": 4})
			var g generationView
			r.JSON(t, &g)
			ids[i] = g.ID
		}()
	}
	wg.Wait()
	most := 0
	testrig.Eventually(t, 3*time.Minute, "all 20 generations to finish", func() bool {
		running, _ := inst.Store.DB().NewSelect().Table("generations").Where("state = 'running'").Count(context.Background())
		most = max(most, int(running))
		done, _ := inst.Store.DB().NewSelect().Table("generations").Where("state IN ('succeeded', 'failed')").Count(context.Background())
		return done == 20
	})
	for _, id := range ids {
		if g := waitGeneration(t, inst, bob.Token, id); g.State != "succeeded" {
			t.Errorf("generation %s: %s %v", id, g.State, g.Error)
		}
	}
	if most > 2 || fake.MaxRunning.Load() > 2 {
		t.Errorf("at most 2 may run at once: saw %d running in the database, %d at the service", most, fake.MaxRunning.Load())
	}
	if fake.MaxRunning.Load() < 2 {
		t.Errorf("the two slots were never used together (max %d)", fake.MaxRunning.Load())
	}
}

// Refusals a person can act on.
func TestGenerationRefusals(t *testing.T) {
	fake := &testrig.FakeVideosAPI{Key: "right", MP4: clip(t, "h264-aac.mp4")}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) {
		c.Generator, c.GeneratorURL, c.GeneratorAPIKey = "openai-compatible", srv.URL, "wrong"
		c.GeneratorPoll = 20 * time.Millisecond
		c.GenerationDailyQuota = 2
	}))
	users := inst.StandardUsers()
	bob := users.User
	r := inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "x"})
	var g generationView
	r.JSON(t, &g)
	g = waitGeneration(t, inst, bob.Token, g.ID)
	if g.State != "failed" || g.Error == nil || !strings.Contains(*g.Error, "ASSAY_GENERATOR_API_KEY") {
		t.Errorf("401 from the service: %+v %v", g, g.Error)
	}
	if r := inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": ""}); r.StatusCode != 400 {
		t.Errorf("empty prompt: %d", r.StatusCode)
	}
	if r := inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "x", "aspect": "4:3"}); r.StatusCode != 400 {
		t.Errorf("bad aspect: %d", r.StatusCode)
	}
	inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "second"})
	if r := inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "third"}); r.StatusCode != 429 {
		t.Errorf("over the daily quota of 2: %d %s", r.StatusCode, r.Body)
	}
	inst.API("PATCH", "/api/v1/instance", users.Admin.Token, map[string]any{"ai_free": true})
	if r := inst.API("POST", "/api/v1/generations", users.Admin.Token, map[string]any{"prompt": "x"}); r.StatusCode != 403 {
		t.Errorf("generation on an AI-free instance: %d", r.StatusCode)
	}
}

// Its owner can cancel a generation that has not finished.
func TestGenerationCancel(t *testing.T) {
	fake := &testrig.FakeVideosAPI{Key: "k", Hang: true, MP4: clip(t, "h264-aac.mp4")}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) {
		c.Generator, c.GeneratorURL, c.GeneratorAPIKey = "openai-compatible", srv.URL, "k"
		c.GeneratorPoll = 20 * time.Millisecond
	}))
	bob := inst.CreateUser("bob", false)
	var g generationView
	inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "forever"}).JSON(t, &g)
	testrig.Eventually(t, time.Minute, "generation running", func() bool {
		inst.API("GET", "/api/v1/generations/"+g.ID, bob.Token, nil).JSON(t, &g)
		return g.State == "running"
	})
	if r := inst.API("POST", "/api/v1/generations/"+g.ID+"/cancel", bob.Token, nil); r.StatusCode != 200 {
		t.Fatalf("cancel: %d %s", r.StatusCode, r.Body)
	}
	g = waitGeneration(t, inst, bob.Token, g.ID)
	if g.State != "failed" || g.Error == nil || !strings.Contains(*g.Error, "cancelled") {
		t.Errorf("after cancel: %+v", g)
	}
	if r := inst.API("POST", "/api/v1/generations/"+g.ID+"/cancel", bob.Token, nil); r.StatusCode != 409 {
		t.Errorf("cancelling twice: %d", r.StatusCode)
	}
	testrig.Eventually(t, 30*time.Second, "the job to stop", func() bool {
		n, _ := inst.Store.DB().NewSelect().Table("jobs").Where("kind = 'generate' AND state IN ('pending','running')").Count(context.Background())
		return n == 0
	})
}

// A ComfyUI server that is busy at first (429) is tried again and the clip
// arrives, labelled, through the whole pipeline.
func TestComfyUIGenerationAfterA429(t *testing.T) {
	fake := &testrig.FakeComfyUI{Steps: 2, Busy: 1, MP4: clip(t, "h264-aac.mp4")}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	workflow := filepath.Join(t.TempDir(), "workflow.json")
	os.WriteFile(workflow, []byte(`{"6":{"class_type":"CLIPTextEncode","inputs":{"text":"{{prompt}}"}}}`), 0o600)
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) {
		c.Generator, c.GeneratorURL, c.GeneratorWorkflow, c.GeneratorModel = "comfyui", srv.URL, workflow, "wan-2.2"
		c.GeneratorPoll = 20 * time.Millisecond
		c.FFmpeg = testrig.FFmpegBuilds(t)[0]
	}))
	bob := inst.CreateUser("bob", false)
	var g generationView
	inst.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "a fox in snow"}).JSON(t, &g)
	g = waitGeneration(t, inst, bob.Token, g.ID)
	if g.State != "succeeded" || g.VideoID == nil {
		t.Fatalf("after a 429: %+v %v", g, g.Error)
	}
	if n := fake.Submits(); n != 1 {
		t.Errorf("the workflow was submitted %d times, want once", n)
	}
	v := settleUpload(t, inst, bob.Token, *g.VideoID)
	if v.State != "ready" || !v.Synthetic || *v.LabelSource != "generated" {
		t.Errorf("video: %+v", v)
	}
}

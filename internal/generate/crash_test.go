package generate_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/generate"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/testrig"
)

// The test binary doubles as the worker process TestGenerationResumesAfterKill
// kills, as in internal/jobs.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChildWorker())
	}
	os.Exit(m.Run())
}

const (
	childEnv  = "ASSAY_GENERATE_TEST_CHILD"
	pollEnv   = "ASSAY_GENERATE_TEST_POLL"       // the child's GeneratorPoll (not an ASSAY_* setting)
	wasmEnv   = "ASSAY_GENERATE_TEST_WASM_CACHE" // the child's WASMCacheDir, shared with the tests
	fakeSteps = 40                               // status polls before the fake's job completes
)

// TestGenerationResumesAfterKill kills a real worker process with SIGKILL
// while the remote service is rendering its clip, then lets a fresh worker
// take the job over: it must poll the same remote job (one paid create, not
// two) and finish the generation, which never stays running.
func TestGenerationResumesAfterKill(t *testing.T) {
	fake := &testrig.FakeVideosAPI{Key: "sk-test", Steps: fakeSteps, MP4: clipBytes(t)}
	var creates atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/videos" {
			creates.Add(1)
		}
		fake.ServeHTTP(w, r)
	}))
	defer srv.Close()

	cfg := testrig.Config(t)
	if cfg.RedisURL == "" {
		// Two processes need one Redis: a standalone one stands in for the
		// embedded server, which lives inside a single process.
		cfg.RedisURL = "redis://" + miniredis.RunT(t).Addr()
	}
	cfg.Generator, cfg.GeneratorURL, cfg.GeneratorAPIKey, cfg.GeneratorModel = "openai-compatible", srv.URL, "sk-test", "fake-video-1"
	cfg.FFmpeg = testrig.FFmpegBuilds(t)[0]
	// The web half takes the request; no worker runs here until the kill.
	web := testrig.StartInstance(t, cfg, testrig.Role(config.RoleWeb))
	bob := web.CreateUser("bob", false)
	r := web.API("POST", "/api/v1/generations", bob.Token, map[string]any{"prompt": "a paper boat in the rain", "duration_seconds": 4})
	if r.StatusCode != http.StatusAccepted {
		t.Fatalf("request: %d %s", r.StatusCode, r.Body)
	}
	var req struct {
		ID string `json:"id"`
	}
	r.JSON(t, &req)

	// The child polls slowly: it would need fakeSteps × 500 ms = 20 s to
	// finish, far longer than it lives.
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"=1", pollEnv+"=500ms", wasmEnv+"="+cfg.WASMCacheDir,
		"ASSAY_DATA_DIR="+cfg.DataDir, "ASSAY_DATABASE_URL="+cfg.DatabaseURL,
		"ASSAY_REDIS_URL="+cfg.RedisURL, "ASSAY_REDIS_NAMESPACE="+cfg.RedisNamespace,
		"ASSAY_ROLE=worker", "ASSAY_LISTEN=127.0.0.1:0", "ASSAY_FFMPEG="+cfg.FFmpeg,
		"ASSAY_GENERATOR=openai-compatible", "ASSAY_GENERATOR_URL="+srv.URL,
		"ASSAY_GENERATOR_API_KEY=sk-test", "ASSAY_GENERATOR_MODEL=fake-video-1",
		"ASSAY_ALLOW_PRIVATE_NETWORKS=true",
		"ASSAY_SWEEP_INTERVAL=200ms", "ASSAY_JOB_LEASE="+cfg.JobLease.String())
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })

	ctx := context.Background()
	generation := func() *model.Generation {
		g, err := web.Store.GenerationByID(ctx, req.ID)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	testrig.Eventually(t, 30*time.Second, "the child worker to start the generation and save its remote id", func() bool {
		g := generation()
		if g.Done() {
			t.Fatalf("the generation ended before the kill: %s %q", g.State, g.Error)
		}
		return g.State == model.GenerationRunning && g.RemoteID != ""
	})
	if err := child.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	child.Wait()
	killed := time.Now()

	mid := generation()
	if mid.State != model.GenerationRunning || mid.RemoteID != "video_1" || creates.Load() != 1 {
		t.Fatalf("after the kill: state %s, remote id %q, %d creates; want running, video_1, 1", mid.State, mid.RemoteID, creates.Load())
	}
	jobRow := func() *model.Job {
		var j model.Job
		if err := web.Store.DB().NewSelect().Model(&j).Where("kind = ? AND ref = ?", generate.KindGenerate, req.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		return &j
	}
	if j := jobRow(); j.State != model.JobRunning || j.Attempts != 1 {
		t.Fatalf("after the kill the job should be running its first attempt, got %s/%d", j.State, j.Attempts)
	}

	// A fresh worker on the same database, data directory and Redis. It
	// takes the job over once the dead worker's lease (3 s) runs out.
	restarted := *cfg
	restarted.Role = config.RoleWorker
	restarted.GeneratorPoll = 20 * time.Millisecond
	testrig.StartInstance(t, &restarted)

	var g *model.Generation
	testrig.Eventually(t, 60*time.Second, "the generation to finish after the restart", func() bool {
		g = generation()
		return g.Done()
	})
	t.Logf("the generation finished %s after the kill (the lease is %s)", time.Since(killed).Round(100*time.Millisecond), cfg.JobLease)
	if g.State != model.GenerationSucceeded || g.VideoID == "" || g.Progress != 100 {
		t.Fatalf("after the restart the generation is %s (progress %d, video %q, error %q); want succeeded with a video",
			g.State, g.Progress, g.VideoID, g.Error)
	}
	if g.RemoteID != "video_1" {
		t.Errorf("the generation finished with remote id %q, want the one saved before the kill (video_1)", g.RemoteID)
	}
	if n := creates.Load(); n != 1 {
		t.Errorf("the service saw %d creates (POST /v1/videos), want exactly 1: the takeover must poll the saved remote job", n)
	}
	if j := jobRow(); j.State != model.JobDone || j.Attempts != 2 {
		t.Errorf("the job ended %s after %d attempts, want done after 2 (the killed one and the takeover)", j.State, j.Attempts)
	}
	testrig.Eventually(t, 60*time.Second, "the generated video to finish processing", func() bool {
		v, err := web.Store.VideoByID(ctx, g.VideoID)
		if err != nil {
			t.Fatal(err)
		}
		if v.State == model.VideoFailed {
			t.Fatalf("the generated video failed processing: %+v", v)
		}
		return v.State == model.VideoReady
	})
	// Nothing runs it a second time afterwards.
	time.Sleep(time.Second)
	if g := generation(); g.State != model.GenerationSucceeded || creates.Load() != 1 {
		t.Errorf("after settling: %s with %d creates", g.State, creates.Load())
	}
}

// runChildWorker is the killed process: a worker with the openai-compatible
// backend, polling slowly.
func runChildWorker() int {
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if cfg.GeneratorPoll, err = time.ParseDuration(os.Getenv(pollEnv)); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	cfg.WASMCacheDir = os.Getenv(wasmEnv)
	ctx := context.Background()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	if err := a.Jobs.StartWorker(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 2
	}
	select {} // until SIGKILL
}

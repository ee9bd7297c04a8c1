package generate_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/generate"
	"github.com/assay-social/assay/internal/netguard"
	"github.com/assay-social/assay/internal/testrig"
)

// clipBytes is a real MP4 for the fake services to hand back.
func clipBytes(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "media", "testdata", "h264-aac.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// progressLog records what a backend reported.
type progressLog struct {
	mu       sync.Mutex
	progress []int
	remote   string
}

func (p *progressLog) Progress(_ context.Context, pct int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.progress = append(p.progress, pct)
	return nil
}

func (p *progressLog) Submitted(_ context.Context, id string) error { p.remote = id; return nil }

func client() *netguard.Client {
	return netguard.New(netguard.Options{AllowPrivate: true, Timeout: -1})
}

func TestOpenAICompatible(t *testing.T) {
	mp4 := clipBytes(t)
	run := func(t *testing.T, fake *testrig.FakeVideosAPI, key string, timeout time.Duration) (string, *progressLog, error) {
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		b := &generate.OpenAI{BaseURL: srv.URL, APIKey: key, ModelName: "fake-video-1", Client: client(), Poll: 10 * time.Millisecond}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		log := &progressLog{}
		path, err := b.Generate(ctx, generate.Request{Prompt: "a red kite over the sea", Seconds: 4, Aspect: "9:16", Dir: t.TempDir()}, log)
		return path, log, err
	}

	t.Run("success with progress", func(t *testing.T) {
		fake := &testrig.FakeVideosAPI{Key: "k", Steps: 4, MP4: mp4}
		path, log, err := run(t, fake, "k", 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != string(mp4) {
			t.Error("the downloaded clip differs from what the service served")
		}
		if len(log.progress) < 3 || log.remote != "video_1" {
			t.Errorf("progress %v, remote id %q: want several reports and the service's id", log.progress, log.remote)
		}
		for i := 1; i < len(log.progress); i++ {
			if log.progress[i] < log.progress[i-1] {
				t.Errorf("progress went backwards: %v", log.progress)
			}
		}
		if fake.LastForm["model"] != "fake-video-1" || fake.LastForm["seconds"] != "4" || fake.LastForm["size"] != "720x1280" ||
			fake.LastForm["prompt"] != "a red kite over the sea" {
			t.Errorf("request fields: %v", fake.LastForm)
		}
	})
	t.Run("failure names the policy", func(t *testing.T) {
		_, _, err := run(t, &testrig.FakeVideosAPI{Key: "k", Steps: 1, FailWith: "moderation_blocked", MP4: mp4}, "k", 10*time.Second)
		var e *generate.Error
		if !errors.As(err, &e) || e.Kind != generate.FailPolicy || !strings.Contains(err.Error(), "content policy") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("401 is an operator problem", func(t *testing.T) {
		_, _, err := run(t, &testrig.FakeVideosAPI{Key: "right", MP4: mp4}, "wrong", 10*time.Second)
		var e *generate.Error
		if !errors.As(err, &e) || e.Kind != generate.FailAuth || !strings.Contains(err.Error(), "ASSAY_GENERATOR_API_KEY") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("429 is transient and honours Retry-After", func(t *testing.T) {
		_, _, err := run(t, &testrig.FakeVideosAPI{Key: "k", RateLimited: 1, MP4: mp4}, "k", 10*time.Second)
		var tr *generate.Transient
		if !errors.As(err, &tr) || tr.After != time.Second {
			t.Errorf("got %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		_, _, err := run(t, &testrig.FakeVideosAPI{Key: "k", Hang: true, MP4: mp4}, "k", 200*time.Millisecond)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v", err)
		}
	})
}

func TestComfyUI(t *testing.T) {
	mp4 := clipBytes(t)
	wf := filepath.Join(t.TempDir(), "workflow.json")
	os.WriteFile(wf, []byte(`{"3":{"class_type":"KSampler","inputs":{"seed":"{{seed}}","steps":20}},
		"6":{"class_type":"CLIPTextEncode","inputs":{"text":"{{prompt}}"}},
		"7":{"class_type":"EmptyHunyuanLatentVideo","inputs":{"width":"{{width}}","height":"{{height}}","length":"{{frames}}"}}}`), 0o600)
	run := func(t *testing.T, fake *testrig.FakeComfyUI, timeout time.Duration) (string, *progressLog, error) {
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		b, err := generate.NewComfyUI(generate.Options{URL: srv.URL, Workflow: wf, Client: client(), Poll: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		log := &progressLog{}
		path, err := b.Generate(ctx, generate.Request{Prompt: `a "quoted" fox`, Seconds: 2, Aspect: "16:9", Dir: t.TempDir()}, log)
		return path, log, err
	}
	t.Run("success", func(t *testing.T) {
		fake := &testrig.FakeComfyUI{Steps: 3, MP4: mp4}
		path, log, err := run(t, fake, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); string(got) != string(mp4) {
			t.Error("downloaded clip differs")
		}
		text := fake.Prompt["6"].(map[string]any)["inputs"].(map[string]any)["text"]
		size := fake.Prompt["7"].(map[string]any)["inputs"].(map[string]any)
		if text != `a "quoted" fox` || size["width"] != float64(854) || size["height"] != float64(480) || size["length"] != float64(33) {
			t.Errorf("workflow not filled in: text %v, size %v", text, size)
		}
		if len(log.progress) == 0 || log.remote != "p-1" {
			t.Errorf("progress %v remote %q", log.progress, log.remote)
		}
	})
	t.Run("failure", func(t *testing.T) {
		_, _, err := run(t, &testrig.FakeComfyUI{Steps: 1, Error: true, MP4: mp4}, 10*time.Second)
		var e *generate.Error
		if !errors.As(err, &e) || e.Kind != generate.FailGenerated {
			t.Errorf("got %v", err)
		}
	})
	t.Run("401 and 429 from an auth proxy in front", func(t *testing.T) {
		for status, want := range map[int]string{401: "auth", 429: "transient"} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(status)
			}))
			b, _ := generate.NewComfyUI(generate.Options{URL: srv.URL, Workflow: wf, Client: client()})
			_, err := b.Generate(context.Background(), generate.Request{Prompt: "x", Seconds: 1, Aspect: "1:1", Dir: t.TempDir()}, &progressLog{})
			srv.Close()
			var e *generate.Error
			var tr *generate.Transient
			if got := map[bool]string{errors.As(err, &e) && e.Kind == generate.FailAuth: "auth", errors.As(err, &tr) && tr.After == 3*time.Second: "transient"}[true]; got != want {
				t.Errorf("HTTP %d: %v, want %s", status, err, want)
			}
		}
	})
	t.Run("timeout", func(t *testing.T) {
		_, _, err := run(t, &testrig.FakeComfyUI{Hang: true, MP4: mp4}, 200*time.Millisecond)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v", err)
		}
	})
}

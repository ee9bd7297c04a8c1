package testrig

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Local stand-ins for the generation services Assay talks to, following
// their documented wire formats, for tests of the openai-compatible and
// comfyui backends (a paid API and a GPU server cannot run here).

// FakeVideosAPI follows the OpenAI Videos API wire format: POST /v1/videos
// (multipart: model, prompt, seconds, size) answers a video object with
// status "queued"; GET /v1/videos/{id} moves it through "in_progress" with
// rising progress to "completed" (or "failed" with an error object); GET
// /v1/videos/{id}/content is the MP4. Errors are {"error":{message,type,code}}.
type FakeVideosAPI struct {
	Key         string
	Steps       int    // status polls before completion
	FailWith    string // error code of a failed job, e.g. "moderation_blocked"
	RateLimited int32  // answer this many creates with 429 + Retry-After first
	Hang        bool   // never finish
	MP4         []byte

	mu         sync.Mutex
	polls      map[string]int
	creates    atomic.Int32
	running    atomic.Int32
	MaxRunning atomic.Int32 // most jobs in progress at once
	LastForm   map[string]string
}

func (f *FakeVideosAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, typ, code, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": msg, "type": typ, "code": code}})
	}
	if r.Header.Get("Authorization") != "Bearer "+f.Key {
		fail(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.polls == nil {
		f.polls = map[string]int{}
	}
	video := func(id, status string, progress int) map[string]any {
		return map[string]any{"id": id, "object": "video", "model": "fake-video-1", "status": status, "progress": progress,
			"created_at": time.Now().Unix(), "size": "720x1280", "seconds": "4"}
	}
	switch {
	case r.Method == "POST" && r.URL.Path == "/v1/videos":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			fail(400, "invalid_request_error", "", "expected multipart/form-data")
			return
		}
		f.LastForm = map[string]string{}
		for k, v := range r.MultipartForm.Value {
			f.LastForm[k] = v[0]
		}
		if f.RateLimited > 0 {
			f.RateLimited--
			w.Header().Set("Retry-After", "1")
			fail(429, "rate_limit_exceeded", "rate_limit_exceeded", "Rate limit reached.")
			return
		}
		id := fmt.Sprintf("video_%d", f.creates.Add(1))
		f.polls[id] = 0
		if n := f.running.Add(1); n > f.MaxRunning.Load() {
			f.MaxRunning.Store(n)
		}
		json.NewEncoder(w).Encode(video(id, "queued", 0))
	case r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/content"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/videos/"), "/content")
		if _, ok := f.polls[id]; !ok {
			fail(404, "invalid_request_error", "", "no such video")
			return
		}
		w.Header().Set("Content-Type", "video/mp4")
		w.Write(f.MP4)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v1/videos/"):
		id := strings.TrimPrefix(r.URL.Path, "/v1/videos/")
		n, ok := f.polls[id]
		if !ok {
			fail(404, "invalid_request_error", "", "no such video")
			return
		}
		f.polls[id] = n + 1
		switch {
		case f.Hang || n < f.Steps:
			json.NewEncoder(w).Encode(video(id, "in_progress", 100*n/max(f.Steps, 1)))
		case f.FailWith != "":
			f.running.Add(-1)
			v := video(id, "failed", 100)
			v["error"] = map[string]string{"code": f.FailWith, "message": "Your request was blocked by our moderation system."}
			json.NewEncoder(w).Encode(v)
		default:
			if n == f.Steps {
				f.running.Add(-1)
			}
			json.NewEncoder(w).Encode(video(id, "completed", 100))
		}
	default:
		fail(404, "invalid_request_error", "", "unknown endpoint")
	}
}

// FakeComfyUI follows ComfyUI's HTTP API: POST /prompt {"prompt": workflow,
// "client_id"} → {"prompt_id","number","node_errors"}; GET /queue →
// {"queue_running":[[number, prompt_id, …]], "queue_pending":[…]}; GET
// /history/{id} → {} until done, then {id: {"outputs": {node: {"gifs":
// [{filename, subfolder, type}]}}, "status": {"status_str","completed"}}};
// GET /view?filename=&subfolder=&type= → the file.
type FakeComfyUI struct {
	Steps int
	Error bool
	Hang  bool
	MP4   []byte
	// Busy answers this many submissions with 429 and Retry-After: 1 first,
	// as a proxy in front of a busy GPU box does.
	Busy    int
	submits int
	mu      sync.Mutex
	polls   int
	Prompt  map[string]any
}

func (f *FakeComfyUI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == "POST" && r.URL.Path == "/prompt" && f.Busy > 0:
		f.Busy--
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	case r.Method == "POST" && r.URL.Path == "/prompt":
		f.submits++
		var body struct {
			Prompt map[string]any `json:"prompt"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(400)
			return
		}
		f.Prompt = body.Prompt
		json.NewEncoder(w).Encode(map[string]any{"prompt_id": "p-1", "number": 1, "node_errors": map[string]any{}})
	case r.URL.Path == "/queue":
		json.NewEncoder(w).Encode(map[string]any{"queue_running": [][]any{{1, "p-1", map[string]any{}}}, "queue_pending": []any{}})
	case r.URL.Path == "/history/p-1":
		f.polls++
		if f.Hang || f.polls <= f.Steps {
			w.Write([]byte("{}"))
			return
		}
		status := map[string]any{"status_str": "success", "completed": true, "messages": []any{}}
		if f.Error {
			status = map[string]any{"status_str": "error", "completed": false, "messages": []any{}}
		}
		json.NewEncoder(w).Encode(map[string]any{"p-1": map[string]any{
			"outputs": map[string]any{"9": map[string]any{"gifs": []map[string]string{{"filename": "assay_00001.mp4", "subfolder": "", "type": "output"}}}},
			"status":  status,
		}})
	case r.URL.Path == "/view" && r.URL.Query().Get("filename") == "assay_00001.mp4" && r.URL.Query().Get("type") == "output":
		w.Write(f.MP4)
	default:
		w.WriteHeader(404)
	}
}

// Submits counts the workflows accepted so far.
func (f *FakeComfyUI) Submits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.submits
}

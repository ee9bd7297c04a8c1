package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/netguard"
)

// ComfyUI drives a self-hosted ComfyUI server running an open video model.
// The workflow (ASSAY_GENERATOR_WORKFLOW) is a file in ComfyUI's API format;
// any string value that is exactly one of the placeholders {{prompt}},
// {{seconds}}, {{width}}, {{height}}, {{frames}} or {{seed}} is replaced
// (numbers become JSON numbers), so the prompt is never spliced into JSON
// text.
type ComfyUI struct {
	BaseURL   string
	Workflow  map[string]any
	ModelName string
	Client    *netguard.Client
	Poll      time.Duration
	MaxBytes  int64
	FPS       int // frames per second the workflow renders at; 16 when zero
}

// NewComfyUI reads the workflow file.
func NewComfyUI(o Options) (*ComfyUI, error) {
	raw, err := os.ReadFile(o.Workflow)
	if err != nil {
		return nil, fmt.Errorf("ASSAY_GENERATOR_WORKFLOW: %w", err)
	}
	var wf map[string]any
	if err := json.Unmarshal(raw, &wf); err != nil {
		return nil, fmt.Errorf("ASSAY_GENERATOR_WORKFLOW=%s: not a ComfyUI API-format workflow: %w", o.Workflow, err)
	}
	return &ComfyUI{BaseURL: o.URL, Workflow: wf, ModelName: o.Model, Client: o.Client, Poll: o.Poll}, nil
}

func (c *ComfyUI) Name() string { return "comfyui" }

func (c *ComfyUI) Model() string {
	if c.ModelName == "" {
		return "ComfyUI workflow"
	}
	return c.ModelName
}

// fill copies the workflow with the placeholders replaced.
func fill(v any, values map[string]any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = fill(e, values)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = fill(e, values)
		}
		return out
	case string:
		if r, ok := values[t]; ok {
			return r
		}
	}
	return v
}

type comfyFile struct {
	Filename  string `json:"filename"`
	Subfolder string `json:"subfolder"`
	Type      string `json:"type"`
}

type comfyHistory struct {
	Status struct {
		StatusStr string `json:"status_str"`
		Completed bool   `json:"completed"`
		Messages  []any  `json:"messages"`
	} `json:"status"`
	Outputs map[string]map[string]json.RawMessage `json:"outputs"`
}

func (c *ComfyUI) Generate(ctx context.Context, req Request, report Reporter) (string, error) {
	id := req.RemoteID
	if id == "" {
		size := Aspects[req.Aspect]
		fps := c.FPS
		if fps <= 0 {
			fps = 16
		}
		prompt := fill(c.Workflow, map[string]any{
			"{{prompt}}": req.Prompt, "{{seconds}}": req.Seconds, "{{width}}": size[0], "{{height}}": size[1],
			"{{frames}}": req.Seconds*fps + 1, "{{seed}}": seedOf(req.Prompt),
		})
		body, _ := json.Marshal(map[string]any{"prompt": prompt, "client_id": "assay"})
		var out struct {
			PromptID   string         `json:"prompt_id"`
			NodeErrors map[string]any `json:"node_errors"`
		}
		if err := c.call(ctx, http.MethodPost, "/prompt", body, &out); err != nil {
			return "", err
		}
		if out.PromptID == "" || len(out.NodeErrors) > 0 {
			return "", &Error{Kind: FailRejected, Detail: fmt.Sprintf("the workflow was not accepted: %v", out.NodeErrors)}
		}
		id = out.PromptID
		if err := report.Submitted(ctx, id); err != nil {
			return "", err
		}
	}
	poll := c.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	for {
		var hist map[string]comfyHistory
		if err := c.call(ctx, http.MethodGet, "/history/"+url.PathEscape(id), nil, &hist); err != nil {
			return "", err
		}
		if h, ok := hist[id]; ok && (h.Status.Completed || h.Status.StatusStr != "") {
			if h.Status.StatusStr == "error" {
				return "", &Error{Kind: FailGenerated, Detail: "the workflow stopped with an error"}
			}
			if f, ok := videoOutput(h); ok {
				return c.download(ctx, f, req.Dir)
			}
			return "", &Error{Kind: FailGenerated, Detail: "the workflow finished without a video output"}
		}
		// ComfyUI reports step progress only over its websocket; polling
		// knows queued from running, which is what a person needs.
		pct, err := c.queuePosition(ctx, id)
		if err != nil {
			return "", err
		}
		if err := report.Progress(ctx, pct); err != nil {
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(poll):
		}
	}
}

// videoOutput finds the first MP4 among the outputs (video nodes list them
// under "videos" or, in VideoHelperSuite, "gifs").
func videoOutput(h comfyHistory) (comfyFile, bool) {
	for _, node := range h.Outputs {
		for _, key := range []string{"videos", "gifs", "images"} {
			var files []comfyFile
			if json.Unmarshal(node[key], &files) != nil {
				continue
			}
			for _, f := range files {
				if strings.HasSuffix(strings.ToLower(f.Filename), ".mp4") {
					return f, true
				}
			}
		}
	}
	return comfyFile{}, false
}

func (c *ComfyUI) queuePosition(ctx context.Context, id string) (int, error) {
	var q struct {
		Running [][]any `json:"queue_running"`
	}
	if err := c.call(ctx, http.MethodGet, "/queue", nil, &q); err != nil {
		return 0, err
	}
	for _, item := range q.Running {
		if len(item) > 1 && item[1] == id {
			return 50, nil
		}
	}
	return 5, nil
}

func (c *ComfyUI) call(ctx context.Context, method, path string, body []byte, out any) error {
	resp, err := c.do(ctx, method, path, body)
	if err != nil {
		return err
	}
	return decode(resp, out)
}

func (c *ComfyUI) do(ctx context.Context, method, path string, body []byte) (*http.Response, error) {
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	return send(ctx, c.Client, method, strings.TrimSuffix(c.BaseURL, "/")+path, bytes.NewReader(body), contentType, "")
}

func (c *ComfyUI) download(ctx context.Context, f comfyFile, dir string) (string, error) {
	q := url.Values{"filename": {f.Filename}, "subfolder": {f.Subfolder}, "type": {f.Type}}
	limit := c.MaxBytes
	if limit <= 0 {
		limit = 500 << 20
	}
	resp, err := c.do(netguard.WithLimit(ctx, limit), http.MethodGet, "/view?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return saveClip(resp.Body, dir)
}

// seedOf makes the same prompt ask for the same seed.
func seedOf(prompt string) int64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(prompt); i++ {
		h = (h ^ uint64(prompt[i])) * 1099511628211
	}
	return int64(h >> 12)
}

package generate

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/netguard"
)

// OpenAI speaks the Videos API (POST /v1/videos, GET /v1/videos/{id},
// GET /v1/videos/{id}/content), which API gateways keep serving for many
// models since OpenAI retired its own Sora endpoint on 2026-09-24.
// BaseURL is the API root without /v1, e.g. https://gateway.example.
type OpenAI struct {
	BaseURL   string
	APIKey    string
	ModelName string
	Client    *netguard.Client
	Poll      time.Duration // between status checks; 2 s when zero
	MaxBytes  int64         // largest clip downloaded
}

func (o *OpenAI) Name() string { return "openai-compatible" }

func (o *OpenAI) Model() string {
	if o.ModelName == "" {
		return "sora-2"
	}
	return o.ModelName
}

// openAIVideo is the Videos API's video object.
type openAIVideo struct {
	ID       string `json:"id"`
	Status   string `json:"status"` // queued, in_progress, completed, failed
	Progress int    `json:"progress"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// sizes are the Videos API's accepted resolutions for each aspect.
var openAISizes = map[string]string{"9:16": "720x1280", "16:9": "1280x720", "1:1": "720x1280"}

// openAISeconds rounds a duration to one the API takes ("4", "8", "12").
func openAISeconds(s int) string {
	switch {
	case s <= 4:
		return "4"
	case s <= 8:
		return "8"
	}
	return "12"
}

func (o *OpenAI) Generate(ctx context.Context, req Request, report Reporter) (string, error) {
	id := req.RemoteID
	if id == "" {
		v, err := o.create(ctx, req)
		if err != nil {
			return "", err
		}
		id = v.ID
		if err := report.Submitted(ctx, id); err != nil {
			return "", err
		}
	}
	poll := o.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	for {
		var v openAIVideo
		if err := o.call(ctx, http.MethodGet, "/v1/videos/"+id, nil, "", &v); err != nil {
			return "", err
		}
		switch v.Status {
		case "completed":
			return o.download(ctx, id, req.Dir)
		case "failed":
			return "", videoError(v)
		}
		if err := report.Progress(ctx, min(max(v.Progress, 0), 99)); err != nil {
			return "", err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(poll):
		}
	}
}

func (o *OpenAI) create(ctx context.Context, req Request) (*openAIVideo, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{
		"model": o.Model(), "prompt": req.Prompt, "seconds": openAISeconds(req.Seconds), "size": openAISizes[req.Aspect],
	} {
		mw.WriteField(k, v) //nolint:errcheck // writes to memory
	}
	mw.Close()
	var v openAIVideo
	if err := o.call(ctx, http.MethodPost, "/v1/videos", &body, mw.FormDataContentType(), &v); err != nil {
		return nil, err
	}
	if v.ID == "" {
		return nil, &Error{Kind: FailRejected, Detail: "the service answered without a video id"}
	}
	return &v, nil
}

// videoError explains a job the service gave up on.
func videoError(v openAIVideo) error {
	if v.Error == nil {
		return &Error{Kind: FailGenerated}
	}
	kind := FailGenerated
	if strings.Contains(v.Error.Code, "moderation") || strings.Contains(v.Error.Code, "policy") {
		kind = FailPolicy
	}
	return &Error{Kind: kind, Detail: v.Error.Message}
}

func (o *OpenAI) call(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	resp, err := o.do(ctx, method, path, body, contentType)
	if err != nil {
		return err
	}
	return decode(resp, out)
}

func (o *OpenAI) do(ctx context.Context, method, path string, body io.Reader, contentType string) (*http.Response, error) {
	return send(ctx, o.Client, method, strings.TrimSuffix(o.BaseURL, "/")+path, body, contentType, o.APIKey)
}

// send makes one request to a generation service. A network failure is
// Transient; an HTTP refusal is sorted by statusError.
func send(ctx context.Context, c *netguard.Client, method, url string, body io.Reader, contentType, apiKey string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+apiKey)
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Transient{Err: err}
	}
	if resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	return nil, statusError(resp)
}

// decode reads a JSON answer; a garbled one is worth another try.
func decode(resp *http.Response, out any) error {
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Transient{Err: fmt.Errorf("reading %s: %w", resp.Request.URL.Path, err)}
	}
	return nil
}

// statusError sorts an HTTP refusal by what the person should be told.
func statusError(resp *http.Response) error {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Code    string `json:"code"`
		} `json:"error"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e) //nolint:errcheck // the status speaks when the body does not
	detail := e.Error.Message
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &Error{Kind: FailAuth, Detail: detail}
	case resp.StatusCode == http.StatusTooManyRequests && (e.Error.Code == "insufficient_quota" || e.Error.Type == "insufficient_quota"):
		return &Error{Kind: FailQuota, Detail: detail}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return &Transient{Err: fmt.Errorf("HTTP %d: %s", resp.StatusCode, detail), After: retryAfter(resp.Header.Get("Retry-After"))}
	case strings.Contains(e.Error.Code, "moderation") || strings.Contains(e.Error.Code, "policy") || strings.Contains(e.Error.Type, "policy"):
		return &Error{Kind: FailPolicy, Detail: detail}
	}
	return &Error{Kind: FailRejected, Detail: fmt.Sprintf("HTTP %d %s", resp.StatusCode, detail)}
}

func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

func (o *OpenAI) download(ctx context.Context, id, dir string) (string, error) {
	limit := o.MaxBytes
	if limit <= 0 {
		limit = 500 << 20
	}
	resp, err := o.do(netguard.WithLimit(ctx, limit), http.MethodGet, "/v1/videos/"+id+"/content", nil, "")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return saveClip(resp.Body, dir)
}

// saveClip writes a downloaded clip into the job's directory.
func saveClip(r io.Reader, dir string) (string, error) {
	path := filepath.Join(dir, "generated.mp4")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(path)
		if errors.Is(err, netguard.ErrTooLarge) {
			return "", &Error{Kind: FailGenerated, Detail: "the clip is larger than this server accepts"}
		}
		return "", &Transient{Err: fmt.Errorf("downloading the clip: %w", err)}
	}
	return path, f.Close()
}

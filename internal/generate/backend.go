// Package generate turns a prompt into a labelled clip: the request row and
// its queue job, the per-user limits, and the backends that render video —
// procedural (offline, ffmpeg), openai-compatible (the Videos API shape) and
// comfyui (a self-hosted ComfyUI server).
package generate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/netguard"
)

// Request is what a backend renders.
type Request struct {
	Prompt  string
	Seconds int
	Aspect  string // "9:16", "16:9" or "1:1"
	// Dir is the job's own directory; the backend writes its MP4 there.
	Dir string
	// RemoteID is the backend's job id from an earlier attempt: poll it
	// rather than submit (and pay for) the same clip twice.
	RemoteID string
}

// Reporter hears from a running backend. Both calls may fail when the
// generation was cancelled; the backend then stops with that error.
type Reporter interface {
	Progress(ctx context.Context, percent int) error
	Submitted(ctx context.Context, remoteID string) error
}

// Backend renders clips.
type Backend interface {
	Name() string  // "procedural", "openai-compatible", "comfyui"
	Model() string // what made the clip, as shown to viewers
	// Generate renders req and returns the path of an MP4 inside req.Dir.
	Generate(ctx context.Context, req Request, report Reporter) (string, error)
}

// Failure kinds a person must be told apart.
const (
	FailAuth      = "auth"      // our credentials were refused: the operator must act
	FailQuota     = "quota"     // the provider's quota or billing
	FailPolicy    = "policy"    // the prompt or result was refused by a content policy
	FailRejected  = "rejected"  // the provider refused the request as invalid
	FailGenerated = "generated" // the provider tried and failed
)

// Error is a refusal that will not get better by retrying.
type Error struct {
	Kind   string
	Detail string // the provider's own words, when it gave any
}

func (e *Error) Error() string {
	msg := map[string]string{
		FailAuth:      "the generation service refused this server's credentials (the operator should check ASSAY_GENERATOR_API_KEY)",
		FailQuota:     "the generation service's quota for this server is used up; try again later",
		FailPolicy:    "the generation service refused this prompt under its content policy",
		FailRejected:  "the generation service refused the request",
		FailGenerated: "the generation service could not make this clip",
	}[e.Kind]
	if msg == "" {
		msg = "generation failed"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Transient is a failure worth retrying: a network error, a 5xx, a 429 rate
// limit. After, when the provider said (Retry-After), is how long to wait.
type Transient struct {
	Err   error
	After time.Duration
}

func (e *Transient) Error() string { return "temporarily unavailable: " + e.Err.Error() }
func (e *Transient) Unwrap() error { return e.Err }

// ErrTimeout is a generation that ran past ASSAY_GENERATION_TIMEOUT.
var ErrTimeout = errors.New("the clip took too long to generate")

// Aspects maps each supported aspect to a frame size small enough for the
// embedded ffmpeg (the procedural backend renders 720p with the system one;
// ComfyUI workflows get these as {{width}} and {{height}}).
var Aspects = map[string][2]int{"9:16": {480, 854}, "16:9": {854, 480}, "1:1": {640, 640}}

// New picks the configured backend.
func New(name string, opts Options) (Backend, error) {
	switch name {
	case "", "procedural":
		return &Procedural{FFmpeg: opts.FFmpeg}, nil
	case "openai-compatible":
		if opts.URL == "" {
			return nil, errors.New("ASSAY_GENERATOR=openai-compatible needs ASSAY_GENERATOR_URL")
		}
		return &OpenAI{BaseURL: opts.URL, APIKey: opts.APIKey, ModelName: opts.Model, Client: opts.Client, Poll: opts.Poll}, nil
	case "comfyui":
		if opts.URL == "" || opts.Workflow == "" {
			return nil, errors.New("ASSAY_GENERATOR=comfyui needs ASSAY_GENERATOR_URL and ASSAY_GENERATOR_WORKFLOW")
		}
		return NewComfyUI(opts)
	}
	return nil, fmt.Errorf("ASSAY_GENERATOR=%q: want procedural, openai-compatible or comfyui", name)
}

// Options configure the backends (ASSAY_GENERATOR_*).
type Options struct {
	FFmpeg   media.FFmpeg
	URL      string
	APIKey   string
	Model    string
	Workflow string
	Client   *netguard.Client
	Poll     time.Duration // between status checks of remote backends
}

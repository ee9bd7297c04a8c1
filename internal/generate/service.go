package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/videos"
)

// KindGenerate is the job that renders one generation.
const KindGenerate = "generate"

// generatePayload is a generate job's payload: what the clip is published
// with that the generation row does not keep.
type generatePayload struct {
	Title string `json:"title"`
}

// decodeGeneratePayload reads a payload. Jobs queued before the payload was
// an object carry the title as JSON-encoded bytes; they still run.
func decodeGeneratePayload(raw string) (generatePayload, error) {
	var p generatePayload
	err := json.Unmarshal([]byte(raw), &p)
	if err != nil {
		var title []byte
		if json.Unmarshal([]byte(raw), &title) == nil {
			return generatePayload{Title: string(title)}, nil
		}
	}
	return p, err
}

// Limits are the operator's bounds on generation.
type Limits struct {
	Concurrency int           // running at once per user (ASSAY_GENERATION_CONCURRENCY)
	DailyQuota  int           // requests per user per 24 h (ASSAY_GENERATION_DAILY_QUOTA)
	Timeout     time.Duration // one generation, from start to clip (ASSAY_GENERATION_TIMEOUT)
	MaxSeconds  int           // longest clip a person may ask for
}

// transientAttempts is how often a flaky backend is tried before the
// generation fails.
const transientAttempts = 5

// Service takes generation requests and runs them.
type Service struct {
	store   *store.Store
	jobs    *jobs.Queue
	backend Backend
	videos  *videos.Service
	limits  Limits
	log     *slog.Logger
}

// NewService makes the service and registers its job.
func NewService(st *store.Store, q *jobs.Queue, b Backend, v *videos.Service, l Limits, log *slog.Logger) *Service {
	s := &Service{store: st, jobs: q, backend: b, videos: v, limits: l, log: log}
	q.Register(jobs.Kind{
		Name: KindGenerate, Queue: jobs.QueueGenerate,
		// Waiting for one of the user's slots is a retry too; the real
		// attempts against the backend are counted on the generation.
		MaxAttempts: 1 << 20, Backoff: func(int) time.Duration { return time.Second },
		Timeout: l.Timeout + time.Minute, Handle: s.run,
	})
	return s
}

// Backend is the configured backend, for the instance description.
func (s *Service) Backend() Backend { return s.backend }

// Ask is a person's request.
type Ask struct {
	Prompt     string
	Seconds    int
	Aspect     string
	Title      string
	ShowPrompt bool
}

// Request stores a generation and queues it, in one transaction.
func (s *Service) Request(ctx context.Context, user *model.User, a Ask) (*model.Generation, error) {
	inst, err := s.store.Instance(ctx)
	if err != nil {
		return nil, err
	}
	if inst.AIFree {
		return nil, apperr.Forbidden("this instance is AI-free: it does not generate clips")
	}
	a.Prompt = strings.TrimSpace(a.Prompt)
	if a.Prompt == "" || utf8.RuneCountInString(a.Prompt) > 1000 {
		return nil, apperr.BadRequest("a prompt is 1 to 1000 characters")
	}
	if a.Seconds == 0 {
		a.Seconds = 4
	}
	if a.Seconds < 1 || a.Seconds > s.limits.MaxSeconds {
		return nil, apperr.BadRequest(fmt.Sprintf("duration_seconds is 1 to %d", s.limits.MaxSeconds))
	}
	if a.Aspect == "" {
		a.Aspect = "9:16"
	}
	if _, ok := Aspects[a.Aspect]; !ok {
		return nil, apperr.BadRequest("aspect is 9:16, 16:9 or 1:1")
	}
	now := time.Now().UTC()
	g := &model.Generation{
		ID: model.NewID(), AccountID: user.AccountID, Prompt: a.Prompt, DurationSeconds: a.Seconds, Aspect: a.Aspect,
		ShowPrompt: a.ShowPrompt, Backend: s.backend.Name(), Model: s.backend.Model(), State: model.GenerationQueued,
		CreatedAt: now, UpdatedAt: now,
	}
	title := strings.TrimSpace(a.Title)
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		n, err := tx.GenerationsSince(ctx, user.AccountID, now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if n >= s.limits.DailyQuota {
			return apperr.New(429, fmt.Sprintf("you have used today's %d generations; try again tomorrow", s.limits.DailyQuota))
		}
		if err := tx.CreateGeneration(ctx, g); err != nil {
			return err
		}
		_, err = s.jobs.Enqueue(ctx, tx, jobs.Spec{Kind: KindGenerate, Ref: g.ID, Payload: generatePayload{Title: title}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Get reads a generation for its owner; 404 for anyone else.
func (s *Service) Get(ctx context.Context, user *model.User, id string) (*model.Generation, error) {
	g, err := s.store.GenerationByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.AccountID != user.AccountID) {
		return nil, apperr.NotFound("no such generation")
	}
	return g, err
}

// ErrCancelled is how a running backend learns its generation was cancelled.
var ErrCancelled = errors.New("cancelled by its owner")

// Cancel stops a generation that has not finished. The running job sees it
// at its next progress report and stops; a clip that arrives anyway is
// thrown away.
func (s *Service) Cancel(ctx context.Context, user *model.User, id string) (*model.Generation, error) {
	g, err := s.Get(ctx, user, id)
	if err != nil {
		return nil, err
	}
	if g.Done() {
		return nil, apperr.Conflict("this generation has already finished")
	}
	end(g, model.GenerationFailed, ErrCancelled.Error())
	if err := s.store.SaveGeneration(ctx, g); errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Conflict("this generation has already finished")
	} else if err != nil {
		return nil, err
	}
	return g, nil
}

func end(g *model.Generation, state, reason string) {
	now := time.Now().UTC()
	g.State, g.Error, g.FinishedAt = state, reason, &now
}

// reporter saves progress, at most every half second, and tells the backend
// when the generation was cancelled under it.
type reporter struct {
	s     *Service
	g     *model.Generation
	saved time.Time
}

func (r *reporter) save(ctx context.Context) error {
	err := r.s.store.SaveGeneration(ctx, r.g)
	if errors.Is(err, store.ErrNotFound) {
		return ErrCancelled
	}
	r.saved = time.Now()
	return err
}

func (r *reporter) Progress(ctx context.Context, pct int) error {
	if pct <= r.g.Progress || (time.Since(r.saved) < 500*time.Millisecond && pct < 100) {
		return nil
	}
	r.g.Progress = pct
	return r.save(ctx)
}

func (r *reporter) Submitted(ctx context.Context, remoteID string) error {
	r.g.RemoteID = remoteID
	return r.save(ctx)
}

var errWaiting = errors.New("waiting for one of the user's generation slots")

// run is the generate job: take a slot, render, hand the clip to the media
// pipeline.
func (s *Service) run(ctx context.Context, job *model.Job) error {
	g, err := s.store.GenerationByID(ctx, job.Ref)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if g.Done() {
		s.videos.DiscardGeneration(g.ID)
		return nil
	}
	if g.State == model.GenerationQueued {
		started := false
		err := s.store.InTx(ctx, func(tx *store.Store) (err error) {
			started, err = tx.StartGeneration(ctx, g, s.limits.Concurrency, time.Now().UTC())
			return err
		})
		if err != nil {
			return err
		}
		if !started {
			return &jobs.RetryAfter{After: time.Second, Err: errWaiting}
		}
	}
	// A generation that was running when its worker died resumes here, with
	// its remote id, inside what is left of its time.
	deadline := g.StartedAt.Add(s.limits.Timeout)
	runCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	dir, err := s.videos.GenerationDir(g.ID)
	if err != nil {
		return err
	}
	payload, err := decodeGeneratePayload(job.Payload)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("generation %s: bad payload: %w", g.ID, err))
	}
	rep := &reporter{s: s, g: g}
	path, err := s.backend.Generate(runCtx, Request{Prompt: g.Prompt, Seconds: g.DurationSeconds, Aspect: g.Aspect, Dir: dir, RemoteID: g.RemoteID}, rep)
	if err == nil {
		_, err = s.videos.PublishGenerated(ctx, g.ID, path, videos.Generated{
			AccountID: g.AccountID, Title: payload.Title, Prompt: g.Prompt, ShowPrompt: g.ShowPrompt,
			Backend: g.Backend, Model: g.Model,
		}, func(tx *store.Store, v *model.Video) error {
			g.Progress, g.VideoID = 100, v.ID
			end(g, model.GenerationSucceeded, "")
			if err := tx.SaveGeneration(ctx, g); err != nil {
				return ErrCancelled // cancelled at the last moment: the clip is thrown away
			}
			return jobs.Finish(ctx, tx, job)
		})
	}
	if err == nil {
		return nil
	}
	return s.failed(ctx, job, g, err, deadline)
}

// failed decides between trying again and telling the person why not.
func (s *Service) failed(ctx context.Context, job *model.Job, g *model.Generation, err error, deadline time.Time) error {
	ctx = context.WithoutCancel(ctx)
	if errors.Is(err, ErrCancelled) {
		s.videos.DiscardGeneration(g.ID)
		return nil
	}
	var transient *Transient
	reason := ""
	var refusal *Error
	var public *apperr.Error
	switch {
	case time.Now().After(deadline) || errors.Is(err, context.DeadlineExceeded):
		reason = ErrTimeout.Error()
	case errors.As(err, &refusal):
		reason = refusal.Error()
	case errors.As(err, &public):
		reason = public.Public
	case errors.As(err, &transient):
		g.Attempts++
		if g.Attempts < transientAttempts {
			if serr := s.store.SaveGeneration(ctx, g); serr != nil {
				return nil // cancelled meanwhile
			}
			wait := max(transient.After, time.Duration(1<<g.Attempts)*time.Second)
			return &jobs.RetryAfter{After: wait, Err: err}
		}
		reason = "the generation service stayed unavailable: " + transient.Err.Error()
	default:
		s.log.Error("generation failed", "generation", g.ID, "err", err)
		reason = "generation failed on the server"
	}
	end(g, model.GenerationFailed, reason)
	s.videos.DiscardGeneration(g.ID)
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SaveGeneration(ctx, g); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return jobs.Finish(ctx, tx, job)
	})
}

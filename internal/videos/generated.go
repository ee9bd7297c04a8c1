package videos

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
	"github.com/assay-social/assay/internal/store"
)

// Generated describes a clip this server generated.
type Generated struct {
	AccountID  string
	Title      string
	Prompt     string
	ShowPrompt bool
	Backend    string
	Model      string
}

// GenerationDir is where a generation with this id renders its clip; the
// video it becomes takes the same id, so the media pipeline finds the file
// where an upload would be.
func (s *Service) GenerationDir(id string) (string, error) {
	dir := s.stagingDir(id)
	return dir, os.MkdirAll(dir, 0o750)
}

// DiscardGeneration removes what a failed or cancelled generation left.
func (s *Service) DiscardGeneration(id string) { os.RemoveAll(s.stagingDir(id)) }

// PublishGenerated turns a rendered clip at path (inside GenerationDir(id))
// into a video labelled generated / trainedAlgorithmicMedia and queues its
// processing; also runs in the same transaction (the generation's own
// bookkeeping), so the video exists exactly when the generation says so.
func (s *Service) PublishGenerated(ctx context.Context, id, path string, g Generated, also func(tx *store.Store, v *model.Video) error) (*model.Video, error) {
	if aiFree, err := s.aiFree(ctx); err != nil {
		return nil, err
	} else if aiFree {
		return nil, apperr.Forbidden("this instance became AI-free while the clip was being generated")
	}
	original := filepath.Join(s.stagingDir(id), "original")
	if path != original {
		if err := os.Rename(path, original); err != nil {
			return nil, err
		}
	}
	info, err := media.Probe(ctx, s.media.FFmpeg, original)
	if err != nil {
		return nil, err
	}
	if err := media.Check(info, s.media.Limits); err != nil {
		return nil, err
	}
	title := strings.TrimSpace(g.Title)
	if title == "" && g.ShowPrompt {
		title = strings.Join(strings.Fields(g.Prompt), " ")
	}
	if title == "" {
		title = "AI-generated clip"
	}
	if utf8.RuneCountInString(title) > 80 {
		title = string([]rune(title)[:79]) + "…"
	}
	now := time.Now().UTC()
	v := &model.Video{
		ID: id, AccountID: g.AccountID, Local: true, URI: s.media.PublicURL + "/videos/" + id, URL: s.media.PublicURL + "/videos/" + id,
		ObjectType: "Video", Title: title, State: model.VideoProcessing, Public: true, DurationSeconds: info.Duration,
		Synthetic: true, DigitalSourceType: provenance.TrainedAlgorithmicMedia, LabelSource: model.LabelGenerated,
		LabelDetail: "Generated on this server with " + g.Model + " (" + g.Backend + ").",
		Generator:   g.Model, PublishedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if g.ShowPrompt {
		v.Prompt = g.Prompt
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateVideo(ctx, v); err != nil {
			return err
		}
		if _, err := s.media.Jobs.Enqueue(ctx, tx, jobs.Spec{Kind: KindProcess, Ref: v.ID}); err != nil {
			return err
		}
		return also(tx, v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

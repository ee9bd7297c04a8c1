package videos

import (
	"context"
	"fmt"
	"log/slog"
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

// Media is what the upload pipeline needs from the process around it.
type Media struct {
	FFmpeg         media.FFmpeg
	Storage        media.Storage
	Jobs           *jobs.Queue
	StagingDir     string // uploads wait here, one directory each, until processed
	PublicURL      string // scheme://host of this instance, for /media URLs and ids
	MaxUploadBytes int64
	Limits         media.Limits
	Log            *slog.Logger
}

// What an uploader may declare about a clip (DESIGN.md §4).
const (
	SourceHuman    = "human"
	SourceAI       = "ai"
	SourceAIEdited = "ai_edited"
)

// Staged is an upload being received: a directory of its own holding the
// file, so that ffmpeg (the WASM build especially) is shown only that
// directory, and a refused upload is removed in one call.
type Staged struct {
	ID   string // the video id it will become
	Dir  string
	File *os.File // "original" in Dir, open for writing
}

// Path is the received file.
func (st *Staged) Path() string { return filepath.Join(st.Dir, "original") }

// Discard removes everything the upload left.
func (st *Staged) Discard() {
	if st.File != nil {
		st.File.Close()
	}
	os.RemoveAll(st.Dir)
}

// MaxUploadBytes is the configured limit, for the handler that streams.
func (s *Service) MaxUploadBytes() int64 { return s.media.MaxUploadBytes }

// Stage makes the place an upload is streamed to.
func (s *Service) Stage() (*Staged, error) {
	if err := os.MkdirAll(s.media.StagingDir, 0o750); err != nil {
		return nil, err
	}
	st := &Staged{ID: model.NewID()}
	st.Dir = filepath.Join(s.media.StagingDir, st.ID)
	if err := os.Mkdir(st.Dir, 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(st.Path(), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		os.RemoveAll(st.Dir)
		return nil, err
	}
	st.File = f
	return st, nil
}

// UploadForm is what came with the file.
type UploadForm struct {
	Title       string
	Description string
	Source      string // SourceHuman (default), SourceAI or SourceAIEdited
	FileName    string // as the browser named it, for a default title
}

// Upload checks a received file and, when it is a video Assay can take,
// stores the video in state "processing" and queues its processing in the
// same transaction. A refused upload leaves nothing behind: no row, no file.
func (s *Service) Upload(ctx context.Context, user *model.User, st *Staged, form UploadForm) (v *model.Video, err error) {
	defer func() {
		if err != nil {
			st.Discard()
		}
	}()
	if err := st.File.Close(); err != nil {
		return nil, err
	}
	st.File = nil
	form.Source = strings.TrimSpace(form.Source)
	if form.Source == "" {
		form.Source = SourceHuman
	}
	if form.Source != SourceHuman && form.Source != SourceAI && form.Source != SourceAIEdited {
		return nil, apperr.BadRequest("source is human, ai or ai_edited")
	}
	title := strings.TrimSpace(form.Title)
	if title == "" {
		title = strings.TrimSpace(strings.TrimSuffix(filepath.Base(form.FileName), filepath.Ext(form.FileName)))
	}
	if title == "" || title == "." {
		title = "Untitled"
	}
	if utf8.RuneCountInString(title) > MaxTitleRunes {
		return nil, apperr.BadRequest("a title is 1 to 200 characters")
	}
	if utf8.RuneCountInString(form.Description) > MaxDescriptionRunes {
		return nil, apperr.BadRequest("a description is at most 10000 characters")
	}
	aiFree, err := s.aiFree(ctx)
	if err != nil {
		return nil, err
	}
	if aiFree && form.Source != SourceHuman {
		return nil, apperr.Forbidden("this instance is AI-free: it does not take AI-generated or AI-edited clips")
	}

	info, err := media.Probe(ctx, s.media.FFmpeg, st.Path())
	if err != nil {
		return nil, err
	}
	if err := media.Check(info, s.media.Limits); err != nil {
		return nil, err
	}

	now := time.Now().UTC()
	v = &model.Video{
		ID: st.ID, AccountID: user.AccountID, Local: true,
		URI: s.media.PublicURL + "/videos/" + st.ID, URL: s.media.PublicURL + "/videos/" + st.ID, ObjectType: "Video",
		Title: title, Description: strings.TrimSpace(form.Description), State: model.VideoProcessing, Public: true,
		DurationSeconds: info.Duration, PublishedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	s.label(v, form.Source, st.Path())
	if aiFree && v.Synthetic {
		return nil, apperr.Forbidden("this instance is AI-free, and this clip is labelled as made with AI: " + v.LabelDetail)
	}
	v.Tags = TagsOf(v.Description)
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateVideo(ctx, v); err != nil {
			return err
		}
		_, err := s.media.Jobs.Enqueue(ctx, tx, jobs.Spec{Kind: KindProcess, Ref: v.ID})
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.store.VideoByID(ctx, v.ID)
}

// label applies DESIGN.md §5: what the file's own provenance says (C2PA,
// XMP) outranks the uploader's word, and a "human" declaration never
// removes a detected label.
func (s *Service) label(v *model.Video, source, path string) {
	found, err := provenance.DetectFile(path)
	if found != nil && found.Synthetic {
		v.Synthetic, v.DigitalSourceType, v.LabelSource = true, found.DigitalSourceType, model.LabelDetected
		v.LabelDetail = detectedBecause(found)
		if source == SourceHuman {
			v.LabelDetail += " This overrides the upload's declaration that a person made it."
		}
		return
	}
	if err != nil && s.media.Log != nil {
		s.media.Log.Debug("no provenance read from upload", "video", v.ID, "err", err)
	}
	switch source {
	case SourceAI:
		v.Synthetic, v.DigitalSourceType, v.LabelSource = true, provenance.TrainedAlgorithmicMedia, model.LabelDeclared
		v.LabelDetail = "Its uploader says it was made with AI."
	case SourceAIEdited:
		v.Synthetic, v.DigitalSourceType, v.LabelSource = true, provenance.CompositeWithTrainedAlgorithmicMedia, model.LabelDeclared
		v.LabelDetail = "Its uploader says it was edited with AI."
	}
}

// detectedBecause says in a sentence what the file's metadata declared.
func detectedBecause(r *provenance.Result) string {
	for _, f := range r.Findings {
		if f.DigitalSourceType == r.DigitalSourceType {
			kind := "made with AI"
			if f.DigitalSourceType == provenance.CompositeWithTrainedAlgorithmicMedia {
				kind = "edited with AI"
			}
			via := map[string]string{"c2pa": "The file's C2PA manifest", "xmp": "The file's XMP metadata", "tc260": "The file's AIGC label (TC260)"}[f.Via]
			if via == "" {
				via = "The file's metadata"
			}
			return fmt.Sprintf("%s says it was %s (%s).", via, kind, f.Detail)
		}
	}
	return "The file's metadata says it was made with AI."
}

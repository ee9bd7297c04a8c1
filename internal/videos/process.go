package videos

import (
	"context"
	"errors"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
	"github.com/assay-social/assay/internal/store"
)

// Media job kinds. Processing makes the video playable (its main MP4 and a
// thumbnail) and publishes it; the smaller rendition follows as its own job,
// so a clip is watchable as soon as its main file exists.
const (
	KindProcess   = "media.process"
	KindRendition = "media.rendition"

	mediaAttempts = 3
	// The WASM build transcodes several times slower than real time; a long
	// clip on a small machine must still fit.
	mediaTimeout = 3 * time.Hour
)

func (s *Service) registerJobs() {
	for name, h := range map[string]jobs.Handler{KindProcess: s.process, KindRendition: s.rendition} {
		s.media.Jobs.Register(jobs.Kind{Name: name, Queue: jobs.QueueMedia, MaxAttempts: mediaAttempts, Timeout: mediaTimeout, Handle: h})
	}
}

// stagingDir is where an upload waits until its media jobs are done.
func (s *Service) stagingDir(id string) string { return filepath.Join(s.media.StagingDir, id) }

func (s *Service) mediaURL(key string) string { return s.media.PublicURL + "/media/" + key }

// refusal turns what ffmpeg or a check said into the reason shown to the
// uploader, or "" when the failure is ours (and worth retrying).
func refusal(err error) string {
	var exit *media.ExitError
	var public *apperr.Error
	switch {
	case errors.Is(err, media.ErrDamaged):
		return err.Error()
	case errors.As(err, &exit):
		return "the video could not be converted: " + exit.Stderr
	case errors.As(err, &public):
		return public.Public
	}
	return ""
}

// process turns a staged upload into served files and publishes the video.
func (s *Service) process(ctx context.Context, job *model.Job) error {
	v, err := s.store.VideoByID(ctx, job.Ref)
	if errors.Is(err, store.ErrNotFound) {
		os.RemoveAll(s.stagingDir(job.Ref)) // deleted while it waited
		return nil
	}
	if err != nil || v.State != model.VideoProcessing {
		return err
	}
	var stored []string
	err = s.produce(ctx, job, v, &stored)
	if err == nil {
		return nil
	}
	s.media.Storage.Delete(context.WithoutCancel(ctx), stored...) //nolint:errcheck // best effort; the keys are never reused
	reason := refusal(err)
	if reason == "" && job.Attempts < mediaAttempts {
		return err
	}
	if reason == "" {
		s.media.Log.Error("video processing failed", "video", v.ID, "err", err)
		reason = "processing failed on the server; try uploading again"
	}
	return s.fail(context.WithoutCancel(ctx), job, v, reason)
}

// fail records why a video could not be processed and removes its files;
// the row stays so the uploader sees the reason.
func (s *Service) fail(ctx context.Context, job *model.Job, v *model.Video, reason string) error {
	v.State, v.FailureReason = model.VideoFailed, reason
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.UpdateVideo(ctx, v); err != nil {
			return err
		}
		return jobs.Finish(ctx, tx, job)
	})
	if err != nil {
		return err
	}
	os.RemoveAll(s.stagingDir(v.ID))
	return nil
}

func (s *Service) produce(ctx context.Context, job *model.Job, v *model.Video, stored *[]string) error {
	ff := s.media.FFmpeg
	dir := s.stagingDir(v.ID)
	src := filepath.Join(dir, "original")
	info, err := media.Probe(ctx, ff, src)
	if errors.Is(err, os.ErrNotExist) {
		return apperr.Unprocessable("the uploaded file is gone")
	}
	if err != nil {
		return err
	}
	if err := media.Check(info, s.media.Limits); err != nil {
		return err
	}
	if err := media.Verify(ctx, ff, src); err != nil {
		return err
	}
	main := filepath.Join(dir, "main.mp4")
	if media.Playable(info) {
		err = media.Remux(ctx, ff, src, main)
	} else {
		err = media.Transcode(ctx, ff, src, main, media.MaxShortSide, 23)
	}
	if err != nil {
		return err
	}
	mainOut, err := s.finishMP4(ctx, v, main)
	if err != nil {
		return err
	}
	thumbPath := filepath.Join(dir, "thumb.jpg")
	if err := media.Thumbnail(ctx, ff, main, thumbPath, mainOut.Duration); err != nil {
		return err
	}
	tw, th, err := jpegSize(thumbPath)
	if err != nil {
		return err
	}
	mainFile, err := s.put(ctx, v.ID, strconv.Itoa(min(mainOut.Width, mainOut.Height)), ".mp4", mainOut, stored)
	if err != nil {
		return err
	}
	thumbFile, err := s.put(ctx, v.ID, "thumb", ".jpg", &media.Output{Path: thumbPath, Width: tw, Height: th}, stored)
	if err != nil {
		return err
	}
	thumbFile.Role = model.MediaThumbnail
	needsRendition := min(mainOut.Width, mainOut.Height) > media.RenditionShortSide

	err = s.store.InTx(ctx, func(tx *store.Store) error {
		cur, err := tx.VideoByID(ctx, v.ID)
		if err != nil {
			return err
		}
		cur.Media = []*model.MediaFile{mainFile, thumbFile}
		cur.State, cur.DurationSeconds, cur.ThumbnailURL = model.VideoReady, mainOut.Duration, thumbFile.URL
		if err := tx.UpdateVideo(ctx, cur); err != nil {
			return err
		}
		if err := jobs.Finish(ctx, tx, job); err != nil {
			return err
		}
		if needsRendition {
			if _, err := s.media.Jobs.Enqueue(ctx, tx, jobs.Spec{Kind: KindRendition, Ref: v.ID}); err != nil {
				return err
			}
		}
		if !cur.Public {
			return nil
		}
		return s.fed.VideoPublished(ctx, tx, cur)
	})
	if errors.Is(err, store.ErrNotFound) {
		os.RemoveAll(dir) // deleted while processing
		return nil
	}
	if err != nil {
		return err
	}
	if !needsRendition {
		os.RemoveAll(dir)
	}
	return nil
}

// rendition adds the 480p file to a ready video and tells followers.
// Failing it leaves a playable video, so it never fails the video.
func (s *Service) rendition(ctx context.Context, job *model.Job) error {
	dir := s.stagingDir(job.Ref)
	v, err := s.store.VideoByID(ctx, job.Ref)
	if errors.Is(err, store.ErrNotFound) || (err == nil && v.State != model.VideoReady) {
		os.RemoveAll(dir)
		return nil
	}
	if err != nil {
		return err
	}
	var stored []string
	err = s.addRendition(ctx, job, v, dir, &stored)
	if err != nil {
		s.media.Storage.Delete(context.WithoutCancel(ctx), stored...) //nolint:errcheck // best effort
		if refusal(err) != "" || job.Attempts >= mediaAttempts {
			os.RemoveAll(dir)
			return jobs.Permanent(err)
		}
		return err
	}
	os.RemoveAll(dir)
	return nil
}

func (s *Service) addRendition(ctx context.Context, job *model.Job, v *model.Video, dir string, stored *[]string) error {
	out := filepath.Join(dir, "480.mp4")
	if err := media.Transcode(ctx, s.media.FFmpeg, filepath.Join(dir, "original"), out, media.RenditionShortSide, 26); err != nil {
		return err
	}
	o, err := s.finishMP4(ctx, v, out)
	if err != nil {
		return err
	}
	file, err := s.put(ctx, v.ID, strconv.Itoa(media.RenditionShortSide), ".mp4", o, stored)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		cur, err := tx.VideoByID(ctx, v.ID)
		if err != nil {
			return err
		}
		cur.Media = append(cur.Media, file)
		if err := tx.UpdateVideo(ctx, cur); err != nil {
			return err
		}
		if err := jobs.Finish(ctx, tx, job); err != nil {
			return err
		}
		if !cur.Public {
			return nil
		}
		return s.fed.VideoUpdated(ctx, tx, cur)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// finishMP4 writes the synthetic-media label into a file we made (DESIGN.md
// §5: the label travels inside the file too) and describes the result.
func (s *Service) finishMP4(ctx context.Context, v *model.Video, path string) (*media.Output, error) {
	if v.Synthetic && v.DigitalSourceType != "" {
		if err := writeLabel(path, v.DigitalSourceType); err != nil {
			return nil, fmt.Errorf("writing the XMP label: %w", err)
		}
	}
	return media.Describe(ctx, s.media.FFmpeg, path)
}

func writeLabel(path, digitalSourceType string) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	tmp := path + ".labelled"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := provenance.WriteXMP(in, st.Size(), out, digitalSourceType); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// put moves a finished file into storage under ID-suffix.ext.
func (s *Service) put(ctx context.Context, id, suffix, ext string, o *media.Output, stored *[]string) (*model.MediaFile, error) {
	key := id + "-" + suffix + ext
	size, err := s.media.Storage.Put(ctx, key, o.Path)
	if err != nil {
		return nil, err
	}
	*stored = append(*stored, key)
	mime := "video/mp4"
	if ext == ".jpg" {
		mime = "image/jpeg"
	}
	return &model.MediaFile{
		ID: model.NewID(), VideoID: id, Role: model.MediaRendition, URL: s.mediaURL(key), Path: key,
		MimeType: mime, Width: o.Width, Height: o.Height, Size: size, CreatedAt: time.Now().UTC(),
	}, nil
}

func jpegSize(path string) (int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: the thumbnail is not a JPEG: %v", media.ErrDamaged, err)
	}
	return cfg.Width, cfg.Height, nil
}

// Package videos owns the life of a local video after upload: publishing it
// when it is ready, editing and deleting it (federated as Update and Delete),
// its hashtags, and reading videos and timelines for a viewer.
package videos

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// Limits on what a person may write.
const (
	MaxTitleRunes       = 200
	MaxDescriptionRunes = 10000
	MaxTags             = 30
)

// Service is the videos domain.
type Service struct {
	store *store.Store
	fed   *federation.Service
	media *Media
}

// aiFree reports whether the instance currently refuses synthetic media: its
// labelled videos are then hidden everywhere (not deleted), and come back
// when the switch is turned off.
func (s *Service) aiFree(ctx context.Context) (bool, error) {
	inst, err := s.store.Instance(ctx)
	if err != nil {
		return false, err
	}
	return inst.AIFree, nil
}

// New makes the service and registers its media jobs.
func New(st *store.Store, fed *federation.Service, m *Media) *Service {
	s := &Service{store: st, fed: fed, media: m}
	s.registerJobs()
	return s
}

// Publish stores a ready local video and sends it to the author's followers,
// in one transaction. The media pipeline calls it when processing finishes.
func (s *Service) Publish(ctx context.Context, v *model.Video) error {
	v.Tags = TagsOf(v.Description)
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateVideo(ctx, v); err != nil {
			return err
		}
		if v.State != model.VideoReady || !v.Public {
			return nil
		}
		return s.fed.VideoPublished(ctx, tx, v)
	})
}

// Get reads a video to show viewer (nil when logged out; see
// store.ShownVideo: callers must not change it); 404 when there is
// none, when it is synthetic and the instance is AI-free, or when it is
// still processing (or failed) and viewer is not its author.
func (s *Service) Get(ctx context.Context, viewer *model.User, id string) (*model.Video, error) {
	v, err := s.store.ShownVideo(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("no such video")
	}
	if err != nil {
		return nil, err
	}
	if v.State != model.VideoReady && (viewer == nil || viewer.AccountID != v.AccountID) {
		return nil, apperr.NotFound("no such video")
	}
	if v.Synthetic {
		if hide, err := s.aiFree(ctx); err != nil {
			return nil, err
		} else if hide {
			return nil, apperr.NotFound("no such video")
		}
	}
	return v, nil
}

// Edit is a partial change of a video's text.
type Edit struct {
	Title       *string
	Description *string
}

// Update changes a local video's title or description and federates the change.
func (s *Service) Update(ctx context.Context, user *model.User, id string, e Edit) (*model.Video, error) {
	v, err := s.owned(ctx, user, id)
	if err != nil {
		return nil, err
	}
	if e.Title != nil {
		title := strings.TrimSpace(*e.Title)
		if title == "" || utf8.RuneCountInString(title) > MaxTitleRunes {
			return nil, apperr.BadRequest("a title is 1 to 200 characters")
		}
		v.Title = title
	}
	if e.Description != nil {
		if utf8.RuneCountInString(*e.Description) > MaxDescriptionRunes {
			return nil, apperr.BadRequest("a description is at most 10000 characters")
		}
		v.Description = strings.TrimSpace(*e.Description)
	}
	v.Tags = TagsOf(v.Description)
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.UpdateVideo(ctx, v); err != nil {
			return err
		}
		if v.State != model.VideoReady || !v.Public {
			return nil
		}
		return s.fed.VideoUpdated(ctx, tx, v)
	})
	if err != nil {
		return nil, err
	}
	return s.store.VideoByID(ctx, v.ID)
}

// Delete removes a local video and tells everyone who has a copy.
func (s *Service) Delete(ctx context.Context, user *model.User, id string) error {
	v, err := s.owned(ctx, user, id)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if v.State == model.VideoReady && v.Public {
			if err := s.fed.VideoDeleted(ctx, tx, v); err != nil {
				return err
			}
		}
		if err := tx.DeleteVideo(ctx, v.ID); err != nil {
			return err
		}
		tx.AfterCommit(func() { s.removeFiles(v) })
		return nil
	})
}

// removeFiles deletes what a deleted video left in storage and staging.
func (s *Service) removeFiles(v *model.Video) {
	var keys []string
	for _, m := range v.Media {
		if m.Path != "" {
			keys = append(keys, m.Path)
		}
	}
	if err := s.media.Storage.Delete(context.Background(), keys...); err != nil {
		s.media.Log.Warn("could not delete a deleted video's files", "video", v.ID, "err", err)
	}
	os.RemoveAll(s.stagingDir(v.ID))
}

// owned returns a local video that user may change.
// Its author may still change a video hidden by the AI-free switch.
func (s *Service) owned(ctx context.Context, user *model.User, id string) (*model.Video, error) {
	v, err := s.store.VideoByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("no such video")
	}
	if err != nil {
		return nil, err
	}
	if !v.Local || v.AccountID != user.AccountID {
		return nil, apperr.Forbidden("only its author can change this video")
	}
	return v, nil
}

var hashtag = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]{1,100})`)

// TagsOf finds the distinct hashtags in a description, lowercased.
func TagsOf(text string) []*model.VideoTag {
	var tags []*model.VideoTag
	seen := map[string]bool{}
	for _, m := range hashtag.FindAllStringSubmatch(text, -1) {
		name := strings.ToLower(m[1])
		if seen[name] || len(tags) >= MaxTags {
			continue
		}
		seen[name] = true
		tags = append(tags, &model.VideoTag{Name: name})
	}
	return tags
}

var tagName = regexp.MustCompile(`^[\p{L}\p{N}_]{1,100}$`)

// TagName is a hashtag as tag timelines look it up: lowercase, without
// '#'; ok is false when it could never be a hashtag.
func TagName(s string) (name string, ok bool) {
	name = strings.ToLower(strings.TrimPrefix(s, "#"))
	return name, tagName.MatchString(name)
}

// TimelineLimit bounds a page.
const (
	DefaultTimelineLimit = 20
	MaxTimelineLimit     = 40
)

// MediaFilter is the filter a timeline request gets: the one it names, else
// the logged-in viewer's default, else all.
func MediaFilter(viewer *model.User, requested string) (string, error) {
	if requested == "" && viewer != nil {
		requested = viewer.DefaultMedia
	}
	switch requested {
	case "", store.MediaAll:
		return store.MediaAll, nil
	case store.MediaHuman, store.MediaAI:
		return requested, nil
	}
	return "", apperr.BadRequest("media is all, human or ai")
}

// Timeline reads a page of a timeline for viewer (nil when logged out). A
// query without a media filter gets the viewer's default (MediaFilter).
func (s *Service) Timeline(ctx context.Context, viewer *model.User, q store.TimelineQuery) ([]*model.Video, error) {
	media, err := MediaFilter(viewer, q.Media)
	if err != nil {
		return nil, err
	}
	q.Media = media
	q.Tag, _ = TagName(q.Tag)
	if q.Limit <= 0 {
		q.Limit = DefaultTimelineLimit
	}
	q.Limit = min(q.Limit, MaxTimelineLimit)
	hide, err := s.aiFree(ctx)
	if err != nil {
		return nil, err
	}
	q.HideSynthetic = hide
	if q.Kind == store.TimelineHome {
		if viewer == nil {
			return nil, apperr.Unauthorized("the home timeline needs you to be logged in")
		}
		q.ViewerID = viewer.AccountID
	}
	return s.store.Timeline(ctx, q)
}

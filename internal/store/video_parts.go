package store

import (
	"context"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/assay-social/assay/internal/model"
)

// videoParts keeps the media files and tags of recently read videos. A
// video's media and tags change only with the video row (CreateVideo,
// UpdateVideo), which sets updated_at, so an entry is good exactly as long as
// the row's updated_at is the one it was read with: a timeline page then
// costs one query instead of three, and no process ever serves stale parts.
type videoParts struct {
	mu      sync.Mutex
	entries map[string]partsEntry
}

type partsEntry struct {
	updatedAt time.Time
	media     []*model.MediaFile
	tags      []*model.VideoTag
}

// videoPartsMax bounds the cache; when full it starts afresh, which is
// cheaper than tracking use and costs one miss per video.
const videoPartsMax = 20_000

func (c *videoParts) get(v *model.Video) (partsEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[v.ID]
	return e, ok && e.updatedAt.Equal(v.UpdatedAt)
}

func (c *videoParts) put(v *model.Video) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= videoPartsMax {
		c.entries = make(map[string]partsEntry)
	}
	c.entries[v.ID] = partsEntry{updatedAt: v.UpdatedAt, media: v.Media, tags: v.Tags}
}

// attachParts fills in the media and tags of videos read without them, from
// memory where it can and with one query each for the rest. The slices are
// shared between readers: callers must not change them.
func (s *Store) attachParts(ctx context.Context, videos []*model.Video) error {
	var missing []string
	byID := make(map[string]*model.Video, len(videos))
	for _, v := range videos {
		if s.cached() {
			if e, ok := s.memo.videoParts.get(v); ok {
				v.Media, v.Tags = e.media, e.tags
				continue
			}
		}
		v.Media, v.Tags = nil, nil
		missing = append(missing, v.ID)
		byID[v.ID] = v
	}
	if len(missing) == 0 {
		return nil
	}
	var media []*model.MediaFile
	if err := s.db.NewSelect().Model(&media).Where("video_id IN (?)", bun.In(missing)).Order("video_id", "id").Scan(ctx); err != nil {
		return mapErr(err)
	}
	var tags []*model.VideoTag
	if err := s.db.NewSelect().Model(&tags).Where("video_id IN (?)", bun.In(missing)).Order("video_id", "name").Scan(ctx); err != nil {
		return mapErr(err)
	}
	for _, m := range media {
		byID[m.VideoID].Media = append(byID[m.VideoID].Media, m)
	}
	for _, t := range tags {
		byID[t.VideoID].Tags = append(byID[t.VideoID].Tags, t)
	}
	if s.cached() {
		for _, id := range missing {
			s.memo.videoParts.put(byID[id])
		}
	}
	return nil
}

package api

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// encodedVideos keeps the JSON of recently listed videos, so that a timeline
// page is mostly copied bytes: encoding twenty videos was a third of a
// page's cost. An entry is used only while the video's and its author's
// updated_at and the counters are the ones it was encoded from; the store
// moves updated_at with every other change a page shows (see store.videoCache).
type encodedVideos struct {
	mu      sync.Mutex
	entries map[string]encodedVideo
}

type encodedVideo struct {
	updatedAt, accountUpdatedAt time.Time
	likes, boosts, comments     int
	json                        []byte
}

// encodedVideosMax bounds the memory (about 1 KB a video); when full the
// cache starts afresh.
const encodedVideosMax = 5_000

func (c *encodedVideos) fresh(e encodedVideo, v *model.Video) bool {
	return e.updatedAt.Equal(v.UpdatedAt) && e.accountUpdatedAt.Equal(v.Account.UpdatedAt) &&
		e.likes == v.LikesCount && e.boosts == v.BoostsCount && e.comments == v.CommentsCount
}

// page encodes videos as a JSON array, as json.Encoder would (with the
// closing newline).
func (c *encodedVideos) page(vs []*model.Video) ([]byte, error) {
	out := make([]byte, 0, 1024*len(vs)+2)
	out = append(out, '[')
	for i, v := range vs {
		if i > 0 {
			out = append(out, ',')
		}
		b, err := c.video(v)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return append(out, ']', '\n'), nil
}

func (c *encodedVideos) video(v *model.Video) ([]byte, error) {
	if v.Account == nil {
		return json.Marshal(videoView(v))
	}
	c.mu.Lock()
	e, ok := c.entries[v.ID]
	c.mu.Unlock()
	if ok && c.fresh(e, v) {
		return e.json, nil
	}
	b, err := json.Marshal(videoView(v))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= encodedVideosMax {
		c.entries = make(map[string]encodedVideo)
	}
	c.entries[v.ID] = encodedVideo{
		updatedAt: v.UpdatedAt, accountUpdatedAt: v.Account.UpdatedAt,
		likes: v.LikesCount, boosts: v.BoostsCount, comments: v.CommentsCount, json: b,
	}
	c.mu.Unlock()
	return b, nil
}

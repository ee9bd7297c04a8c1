package store

import (
	"context"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/assay-social/assay/internal/model"
)

// videoCache keeps recently shown videos — row, author, media and tags — so
// that a timeline page reads only a few columns per video from the database.
// Every change a page shows goes with a new updated_at on the video (its
// text, label, state, media and tags) or on its author (name, avatar); the
// counters change alone and are always read fresh. So a copy is used only
// while both timestamps are the ones it was read with, and no process ever
// serves a stale one, whichever process made the change.
type videoCache struct {
	mu      sync.Mutex
	entries map[string]*model.Video
}

// videoCacheMax bounds the memory (a few KB a video); when full the cache
// starts afresh, which is cheaper than tracking use and costs one miss each.
const videoCacheMax = 5_000

// timelineRow is what a page reads per video: enough to order and pick the
// page and to tell whether the copy in memory is current.
type timelineRow struct {
	ID               string    `bun:"id"`
	UpdatedAt        time.Time `bun:"updated_at"`
	AccountUpdatedAt time.Time `bun:"account_updated_at"`
	LikesCount       int       `bun:"likes_count"`
	BoostsCount      int       `bun:"boosts_count"`
	CommentsCount    int       `bun:"comments_count"`
}

func (c *videoCache) get(r *timelineRow) (*model.Video, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.entries[r.ID]
	if !ok || !v.UpdatedAt.Equal(r.UpdatedAt) || v.Account == nil || !v.Account.UpdatedAt.Equal(r.AccountUpdatedAt) {
		return nil, false
	}
	return v, true
}

func (c *videoCache) put(v *model.Video) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= videoCacheMax {
		c.entries = make(map[string]*model.Video)
	}
	c.entries[v.ID] = v
}

// videosFor turns a page's rows into videos, in the same order, from memory
// where it can and with one read (three queries) for the rest. A video
// deleted between the two reads is left out. The returned videos are copies,
// but their Account, Media and Tags are shared: callers must not change them.
func (s *Store) videosFor(ctx context.Context, rows []timelineRow) ([]*model.Video, error) {
	found := make(map[string]*model.Video, len(rows))
	var missing []string
	for i := range rows {
		if s.cached() {
			if v, ok := s.memo.videos.get(&rows[i]); ok {
				found[v.ID] = v
				continue
			}
		}
		missing = append(missing, rows[i].ID)
	}
	if len(missing) > 0 {
		var loaded []*model.Video
		err := s.db.NewSelect().Model(&loaded).
			Relation("Account", withoutKeys).
			Relation("Media", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("id") }).
			Relation("Tags", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Order("name") }).
			Where("video.id IN (?)", bun.In(missing)).Scan(ctx)
		if err != nil {
			return nil, mapErr(err)
		}
		for _, v := range loaded {
			found[v.ID] = v
			if s.cached() {
				s.memo.videos.put(v)
			}
		}
	}
	out := make([]*model.Video, 0, len(rows))
	for _, r := range rows {
		v, ok := found[r.ID]
		if !ok {
			continue
		}
		cp := *v
		cp.LikesCount, cp.BoostsCount, cp.CommentsCount = r.LikesCount, r.BoostsCount, r.CommentsCount
		out = append(out, &cp)
	}
	return out, nil
}

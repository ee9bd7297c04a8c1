package videos

import (
	"sync"

	"github.com/assay-social/assay/internal/model"
)

// Rendered keeps one rendering of each recently shown video — its JSON in
// the API, its tile's HTML on the pages — so that a timeline page is mostly
// copied bytes. A rendering is used only while the video's and its author's
// updated_at and the counters are the ones it was made from: the store
// moves updated_at with every other change a rendering shows (see
// store.videoCache). The zero value is ready to use.
type Rendered[V any] struct {
	mu      sync.Mutex
	entries map[string]rendering[V]
}

type rendering[V any] struct {
	stamp stamp
	val   V
}

type stamp struct {
	updated, accountUpdated int64
	likes, boosts, comments int
}

// renderedMax bounds the memory (a few KB a video); when full the cache
// starts afresh.
const renderedMax = 5_000

// Of returns v's rendering, made by render when no current one is kept.
func (c *Rendered[V]) Of(v *model.Video, render func(*model.Video) (V, error)) (V, error) {
	if v.Account == nil {
		return render(v)
	}
	s := stamp{
		updated: v.UpdatedAt.UnixNano(), accountUpdated: v.Account.UpdatedAt.UnixNano(),
		likes: v.LikesCount, boosts: v.BoostsCount, comments: v.CommentsCount,
	}
	c.mu.Lock()
	e, ok := c.entries[v.ID]
	c.mu.Unlock()
	if ok && e.stamp == s {
		return e.val, nil
	}
	val, err := render(v)
	if err != nil {
		return val, err
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= renderedMax {
		c.entries = make(map[string]rendering[V])
	}
	c.entries[v.ID] = rendering[V]{stamp: s, val: val}
	c.mu.Unlock()
	return val, nil
}

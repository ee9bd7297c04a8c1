package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

func publish(t *testing.T, st *store.Store, accountID, title string) *model.Video {
	t.Helper()
	now := time.Now().UTC()
	id := model.NewID()
	v := &model.Video{
		ID: id, AccountID: accountID, Local: true, URI: "https://a.example/videos/" + id, URL: "https://a.example/videos/" + id,
		ObjectType: "Video", Title: title, State: model.VideoReady, Public: true,
		PublishedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if err := st.CreateVideo(context.Background(), v); err != nil {
		t.Fatal(err)
	}
	return v
}

func titles(vs []*model.Video) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Title)
	}
	return out
}

// The first page of a public timeline is read once for everyone asking at
// the same moment and kept; every write through the same process shows on
// the next read, a transaction's once it commits, and another process's
// within a second.
func TestTimelineHeads(t *testing.T) {
	ctx := context.Background()
	st, other := twoStores(t)
	reads := &readsOf{table: "videos AS video"}
	st.DB().(*bun.DB).AddQueryHook(reads)

	a, u := newAccount("ada")
	if err := st.CreateLocalUser(ctx, a, u); err != nil {
		t.Fatal(err)
	}
	first := publish(t, st, a.ID, "one")
	head := func() []*model.Video {
		t.Helper()
		vs, err := st.Timeline(ctx, store.TimelineQuery{Kind: store.TimelineLocal, Media: store.MediaHuman, Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}
	wantTitles := func(want ...string) {
		t.Helper()
		if got := titles(head()); len(got) != len(want) || (len(got) > 0 && got[0] != want[0]) {
			t.Fatalf("first page %v, want %v", got, want)
		}
	}
	wantTitles("one")

	// 30 readers at once: one read of the database between them.
	publish(t, st, a.ID, "two")
	before := reads.n.Load()
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			if got := head(); len(got) != 2 {
				t.Errorf("a concurrent reader got %v", titles(got))
			}
		})
	}
	wg.Wait()
	if n := reads.n.Load() - before; n != 1 {
		t.Fatalf("30 concurrent readers of the first page made %d timeline reads, want 1", n)
	}

	// A like and a removal through this process show at once.
	if _, err := st.DB().NewUpdate().Model((*model.Video)(nil)).Set("likes_count = 3").Where("id = ?", first.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := head(); got[1].LikesCount != 3 {
		t.Fatalf("likes %d right after the like, want 3", got[1].LikesCount)
	}

	// A page read while a transaction is open is not kept past its COMMIT.
	err := st.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.DB().NewUpdate().Model((*model.Video)(nil)).Set("public = FALSE").Where("id = ?", first.ID).Exec(ctx); err != nil {
			return err
		}
		head() // another connection: the update is not visible yet
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantTitles("two")

	// Another process's new video: at most a second late.
	head()
	published := time.Now()
	publish(t, other, a.ID, "three")
	for {
		if got := titles(head()); len(got) == 2 && got[0] == "three" {
			break
		}
		if time.Since(published) > 1500*time.Millisecond {
			t.Fatalf("another process's video is not on the first page %v after it was published", time.Since(published))
		}
		time.Sleep(20 * time.Millisecond)
	}

	// Deeper pages are never kept.
	before = reads.n.Load()
	for range 3 {
		if _, err := st.Timeline(ctx, store.TimelineQuery{Kind: store.TimelineLocal, Limit: 20, MaxID: pastEveryID}); err != nil {
			t.Fatal(err)
		}
	}
	if n := reads.n.Load() - before; n != 3 {
		t.Fatalf("3 reads of a deeper page made %d timeline reads, want 3", n)
	}
}

package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// pastEveryID asks for a page "older than" an id above every ULID: all of
// the timeline, but not its first page.
const pastEveryID = "ZZZZZZZZZZZZZZZZZZZZZZZZZZ"

func tagNames(v *model.Video) []string {
	var names []string
	for _, t := range v.Tags {
		names = append(names, t.Name)
	}
	return names
}

// A timeline keeps the videos it showed in memory; an edit of the video, of
// its author or of its counters, through this process or through another one
// (a second Store on the same database), is still seen at once on the next
// page. (A first page may be kept whole for a moment: TestTimelineHeads.)
func TestTimelineShowsEditsAtOnce(t *testing.T) {
	ctx := context.Background()
	st, other := twoStores(t)

	a, u := newAccount("ada")
	a.PrivateKeyPEM = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n"
	if err := st.CreateLocalUser(ctx, a, u); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	v := &model.Video{
		ID: model.NewID(), AccountID: a.ID, Local: true, URI: "https://a.example/videos/1", URL: "https://a.example/videos/1",
		ObjectType: "Video", Title: "first", State: model.VideoReady, Public: true,
		PublishedAt: now, CreatedAt: now, UpdatedAt: now,
		Media: []*model.MediaFile{{ID: model.NewID(), Role: model.MediaOriginal, URL: "https://a.example/media/1.mp4", MimeType: "video/mp4", Width: 1080, Height: 1920}},
		Tags:  []*model.VideoTag{{Name: "cats"}},
	}
	if err := st.CreateVideo(ctx, v); err != nil {
		t.Fatal(err)
	}
	page := func(s *store.Store) *model.Video {
		t.Helper()
		vs, err := s.Timeline(ctx, store.TimelineQuery{Kind: store.TimelineLocal, Limit: 20, MaxID: pastEveryID})
		if err != nil || len(vs) != 1 {
			t.Fatalf("timeline: %d videos, %v", len(vs), err)
		}
		return vs[0]
	}
	for range 2 { // the second read comes from memory
		got := page(st)
		if !slices.Equal(tagNames(got), []string{"cats"}) || len(got.Media) != 1 || got.Account == nil || got.Account.Username != "ada" {
			t.Fatalf("first page: tags %v, %d media, account %v", tagNames(got), len(got.Media), got.Account)
		}
		if got.Account.PrivateKeyPEM != "" {
			t.Fatal("a timeline read its authors' private keys")
		}
	}
	page(other)

	// Edited through the other store: this one must not serve its memory.
	edit, err := other.VideoByID(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	edit.Tags = []*model.VideoTag{{Name: "dogs"}, {Name: "birds"}}
	edit.Media = append(edit.Media, &model.MediaFile{ID: model.NewID(), Role: model.MediaRendition, URL: "https://a.example/media/1-480.mp4", MimeType: "video/mp4", Width: 480, Height: 854})
	time.Sleep(2 * time.Millisecond) // a new updated_at even on a coarse clock
	if err := other.UpdateVideo(ctx, edit); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*store.Store{st, other} {
		got := page(s)
		if !slices.Equal(tagNames(got), []string{"birds", "dogs"}) || len(got.Media) != 2 {
			t.Fatalf("after the edit: tags %v, %d media; want [birds dogs] and 2", tagNames(got), len(got.Media))
		}
	}

	// The author renames herself through the other store.
	author, err := other.AccountByID(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	author.DisplayName = "Ada L."
	time.Sleep(2 * time.Millisecond)
	if err := other.UpdateAccountProfile(ctx, author); err != nil {
		t.Fatal(err)
	}
	if got := page(st); got.Account.DisplayName != "Ada L." {
		t.Fatalf("after the rename the page shows %q", got.Account.DisplayName)
	}

	// A like counted through the other store changes no timestamp.
	if _, err := other.DB().NewUpdate().Model((*model.Video)(nil)).Set("likes_count = 7").Where("id = ?", v.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if got := page(st); got.LikesCount != 7 {
		t.Fatalf("likes %d, want 7", got.LikesCount)
	}

	// A page never hands out the copy it keeps.
	page(st).Title = "changed by a caller"
	if got := page(st); got.Title != "first" {
		t.Fatalf("title %q: a caller's change reached the cache", got.Title)
	}
}

package testrig

import (
	"context"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/provenance"
)

// VideoFixture describes a ready local clip for tests that need one before
// the media pipeline is involved.
type VideoFixture struct {
	Title       string
	Description string
	Synthetic   bool // labelled trainedAlgorithmicMedia, declared by the uploader
}

// PublishVideo stores a ready local video by u (with an MP4 rendition and a
// thumbnail at this instance's /media URLs) and federates it to u's followers.
func (i *Instance) PublishVideo(u *User, f VideoFixture) *model.Video {
	i.t.Helper()
	now := time.Now().UTC()
	id := model.NewID()
	base := i.URL
	v := &model.Video{
		ID: id, AccountID: u.AccountID, Account: u.Account, Local: true,
		URI: base + "/videos/" + id, URL: base + "/videos/" + id, ObjectType: "Video",
		Title: f.Title, Description: f.Description, State: model.VideoReady, Public: true,
		DurationSeconds: 8, ThumbnailURL: base + "/media/" + id + "-thumb.jpg",
		PublishedAt: now, CreatedAt: now, UpdatedAt: now,
		Media: []*model.MediaFile{
			{ID: model.NewID(), Role: model.MediaRendition, URL: base + "/media/" + id + "-720.mp4", MimeType: "video/mp4", Width: 720, Height: 1280, Size: 2400000, CreatedAt: now},
			{ID: model.NewID(), Role: model.MediaThumbnail, URL: base + "/media/" + id + "-thumb.jpg", MimeType: "image/jpeg", Width: 360, Height: 640, CreatedAt: now},
		},
	}
	if f.Synthetic {
		v.Synthetic, v.DigitalSourceType, v.LabelSource = true, provenance.TrainedAlgorithmicMedia, model.LabelDeclared
	}
	if err := i.Videos.Publish(context.Background(), v); err != nil {
		i.t.Fatalf("publishing fixture video %q: %v", f.Title, err)
	}
	return v
}

// Eventually polls cond until it holds or the time runs out; federation is
// asynchronous, so tests wait for effects instead of sleeping.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/provenance"
	"github.com/assay-social/assay/internal/testrig"
)

type uploadedVideo struct {
	ID            string  `json:"id"`
	Title         string  `json:"title"`
	State         string  `json:"state"`
	FailureReason *string `json:"failure_reason"`
	Synthetic     bool    `json:"synthetic"`
	LabelSource   *string `json:"label_source"`
	LabelDetail   *string `json:"label_detail"`
	DigitalSource *string `json:"digital_source_type"`
	Duration      float64 `json:"duration_seconds"`
	ThumbnailURL  *string `json:"thumbnail_url"`
	Media         []struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
		Width    int    `json:"width"`
		Height   int    `json:"height"`
		Size     int64  `json:"size"`
	} `json:"media"`
}

func clip(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "media", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// settle waits until processing has finished one way or the other.
func settleUpload(t testing.TB, inst *testrig.Instance, token, id string) uploadedVideo {
	t.Helper()
	var v uploadedVideo
	testrig.Eventually(t, 3*time.Minute, "video "+id+" to finish processing", func() bool {
		inst.API("GET", "/api/v1/videos/"+id, token, nil).JSON(t, &v)
		return v.State != "processing"
	})
	return v
}

func get(t *testing.T, url string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A creator uploads a clip from a phone; it becomes playable everywhere.
func TestUploadProcessesAndServesClips(t *testing.T) {
	for _, build := range testrig.FFmpegBuilds(t) {
		t.Run(build, func(t *testing.T) {
			inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = build }))
			bob := inst.CreateUser("bob", false)

			// An H.264/AAC MP4 passes through: ready, same size picture, playable at /media.
			resp := inst.Upload(bob.Token, "beach.mp4", clip(t, "h264-aac.mp4"), map[string]string{"description": "waves #sea"})
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("upload: %d %s", resp.StatusCode, resp.Body)
			}
			var v uploadedVideo
			resp.JSON(t, &v)
			if v.State != "processing" {
				t.Errorf("a fresh upload is %q, want processing", v.State)
			}
			v = settleUpload(t, inst, bob.Token, v.ID)
			if v.State != "ready" || len(v.Media) != 1 || v.ThumbnailURL == nil {
				t.Fatalf("after processing: %+v", v)
			}
			m := v.Media[0]
			if m.MimeType != "video/mp4" || m.Width != 640 || m.Height != 360 || v.Duration < 1.9 || v.Duration > 2.1 {
				t.Errorf("media %+v, duration %v; want 640×360 video/mp4 of 2 s", m, v.Duration)
			}
			whole := readAll(t, get(t, m.URL))
			if int64(len(whole)) != m.Size {
				t.Errorf("served %d bytes, the API says %d", len(whole), m.Size)
			}

			// Range and conditional requests, as a player and a cache make them.
			r := get(t, m.URL, "Range", "bytes=100-1099")
			if part := readAll(t, r); r.StatusCode != http.StatusPartialContent || !bytes.Equal(part, whole[100:1100]) {
				t.Errorf("range: %d with %d bytes, want 206 with bytes 100–1099", r.StatusCode, len(part))
			}
			if etag := r.Header.Get("ETag"); etag == "" {
				t.Error("no ETag")
			} else if c := get(t, m.URL, "If-None-Match", etag); c.StatusCode != http.StatusNotModified {
				t.Errorf("If-None-Match with the ETag: %d, want 304", c.StatusCode)
			}
			thumb := get(t, *v.ThumbnailURL)
			if b := readAll(t, thumb); thumb.StatusCode != 200 || http.DetectContentType(b) != "image/jpeg" {
				t.Errorf("thumbnail: %d %s", thumb.StatusCode, http.DetectContentType(b))
			}

			// A WebM is transcoded: what is served is H.264 + AAC.
			resp = inst.Upload(bob.Token, "clip.webm", clip(t, "vp9-opus.webm"), map[string]string{"title": "webm"})
			resp.JSON(t, &v)
			v = settleUpload(t, inst, bob.Token, v.ID)
			if v.State != "ready" || len(v.Media) != 1 {
				t.Fatalf("webm after processing: %+v", v)
			}
			served := filepath.Join(t.TempDir(), "served.mp4")
			os.WriteFile(served, readAll(t, get(t, v.Media[0].URL)), 0o600)
			ff, _ := media.NewFFmpeg(build, filepath.Join(os.TempDir(), "assay-test-wasm-cache"))
			info, err := media.Probe(context.Background(), ff, served)
			if err != nil || info.Video.Codec != "h264" || info.Audio == nil || info.Audio.Codec != "aac" {
				t.Errorf("served webm transcode: %v %+v", err, info)
			}

			// Deleting the video deletes its files.
			before := len(inst.Files("media"))
			if d := inst.API("DELETE", "/api/v1/videos/"+v.ID, bob.Token, nil); d.StatusCode >= 300 {
				t.Fatalf("delete: %d %s", d.StatusCode, d.Body)
			}
			if after := inst.Files("media"); len(after) != before-2 {
				t.Errorf("media files before delete %d, after %v: the video and thumbnail should be gone", before, after)
			}
			if left := inst.Files("uploads"); len(left) != 0 {
				t.Errorf("staging files left behind: %v", left)
			}
		})
	}
}

// A hostile or broken file gets a clear refusal and leaves nothing behind.
func TestBadUploadsAreRefusedAndLeaveNothing(t *testing.T) {
	for _, build := range testrig.FFmpegBuilds(t) {
		t.Run(build, func(t *testing.T) {
			inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) {
				c.FFmpeg = build
				c.MaxUploadBytes = 160 << 10
			}))
			bob := inst.CreateUser("bob", false)
			good := clip(t, "h264-aac.mp4")
			absurd := append([]byte{}, good...)
			copy(absurd, []byte{0x7f, 0xff, 0xff, 0xf0}) // the first box claims 2 GiB
			for _, tc := range []struct {
				name   string
				body   []byte
				status int
				says   string
			}{
				{"notes.mp4", []byte("this is a text file, not a video\n"), 422, "not a video we can read"},
				{"empty.mp4", nil, 422, "the file is empty"},
				{"cut.mp4", good[:len(good)/2], 422, "moov atom not found"},
				{"absurd.mp4", absurd, 422, "not a video we can read"},
				{"dot.mp4", clip(t, "onepixel.mp4"), 422, "1×1 pixels"},
				{"uhd.mp4", clip(t, "uhd.mp4"), 413, "larger than this instance's limit"},
			} {
				resp := inst.Upload(bob.Token, tc.name, tc.body, nil)
				if resp.StatusCode != tc.status || !strings.Contains(errorOf(t, resp), tc.says) {
					t.Errorf("%s: %d %s; want %d saying %q", tc.name, resp.StatusCode, resp.Body, tc.status, tc.says)
				}
			}
			if n, err := inst.Store.DB().NewSelect().Table("videos").Count(context.Background()); err != nil || n != 0 {
				t.Errorf("refused uploads left %d video rows (%v)", n, err)
			}
			if left := append(inst.Files("uploads"), inst.Files("media")...); len(left) != 0 {
				t.Errorf("refused uploads left files: %v", left)
			}
			if r := inst.Upload("", "a.mp4", good, nil); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("upload without a token: %d, want 401", r.StatusCode)
			}
			if r := inst.Upload(bob.Token, "a.mp4", good, map[string]string{"source": "robot"}); r.StatusCode != http.StatusBadRequest {
				t.Errorf("unknown source: %d, want 400", r.StatusCode)
			}
		})
	}
}

// A file that probes but is cut short fails in processing with its reason,
// and its files are gone; the row stays so the uploader can read why.
func TestDamagedUploadFailsWithAReason(t *testing.T) {
	for _, build := range testrig.FFmpegBuilds(t) {
		t.Run(build, func(t *testing.T) {
			inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = build }))
			bob := inst.CreateUser("bob", false)
			// moov first, then cut: the header promises more than arrived.
			dir := t.TempDir()
			src := filepath.Join(dir, "original")
			os.WriteFile(src, clip(t, "h264-aac.mp4"), 0o600)
			ff, _ := media.NewFFmpeg(build, filepath.Join(os.TempDir(), "assay-test-wasm-cache"))
			if err := media.Remux(context.Background(), ff, src, filepath.Join(dir, "fast.mp4")); err != nil {
				t.Fatal(err)
			}
			fast, _ := os.ReadFile(filepath.Join(dir, "fast.mp4"))
			resp := inst.Upload(bob.Token, "cut.mp4", fast[:len(fast)*6/10], nil)
			if resp.StatusCode != http.StatusAccepted {
				t.Fatalf("upload: %d %s", resp.StatusCode, resp.Body)
			}
			var v uploadedVideo
			resp.JSON(t, &v)
			v = settleUpload(t, inst, bob.Token, v.ID)
			if v.State != "failed" || v.FailureReason == nil || !strings.Contains(*v.FailureReason, "incomplete or damaged") {
				t.Errorf("cut file: state %s, reason %v", v.State, v.FailureReason)
			}
			if left := append(inst.Files("uploads"), inst.Files("media")...); len(left) != 0 {
				t.Errorf("a failed upload left files: %v", left)
			}
		})
	}
}

// DESIGN.md §5: a file whose C2PA manifest says AI is labelled AI whatever
// the uploader declared, the uploader is told why, and the label is written
// into the MP4 we serve.
func TestDetectedAIOverridesAHumanDeclaration(t *testing.T) {
	build := testrig.FFmpegBuilds(t)[0] // the labelling does not depend on the build
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = build }))
	bob := inst.CreateUser("bob", false)
	firefly, err := os.ReadFile("../../../shared/fixtures/media/c2pa/prmiere-firefly.mp4")
	if err != nil {
		t.Fatal(err)
	}
	resp := inst.Upload(bob.Token, "mine.mp4", firefly, map[string]string{"source": "human"})
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("upload: %d %s", resp.StatusCode, resp.Body)
	}
	var v uploadedVideo
	resp.JSON(t, &v)
	if !v.Synthetic || v.LabelSource == nil || *v.LabelSource != "detected" || v.DigitalSource == nil ||
		*v.DigitalSource != provenance.CompositeWithTrainedAlgorithmicMedia {
		t.Fatalf("label: %+v", v)
	}
	if v.LabelDetail == nil || !strings.Contains(*v.LabelDetail, "C2PA") || !strings.Contains(*v.LabelDetail, "overrides") {
		t.Errorf("the uploader is not told why: %v", v.LabelDetail)
	}
	v = settleUpload(t, inst, bob.Token, v.ID)
	if v.State != "ready" {
		t.Fatalf("state %s: %v", v.State, v.FailureReason)
	}
	served := filepath.Join(t.TempDir(), "served.mp4")
	os.WriteFile(served, readAll(t, get(t, v.Media[0].URL)), 0o600)
	found, err := provenance.DetectFile(served)
	if err != nil || !found.Synthetic {
		t.Fatalf("the served file carries no label: %v %+v", err, found)
	}
	viaXMP := false
	for _, f := range found.Findings {
		viaXMP = viaXMP || (f.Via == "xmp" && f.DigitalSourceType == provenance.CompositeWithTrainedAlgorithmicMedia)
	}
	if !viaXMP {
		t.Errorf("no XMP DigitalSourceType in the served file: %+v", found.Findings)
	}
}

// An AI-free instance refuses AI uploads at the door.
func TestAIFreeInstanceRefusesAIUploads(t *testing.T) {
	build := testrig.FFmpegBuilds(t)[0]
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) { c.FFmpeg = build }))
	users := inst.StandardUsers()
	if r := inst.API("PATCH", "/api/v1/instance", users.Admin.Token, map[string]any{"ai_free": true}); r.StatusCode != 200 {
		t.Fatalf("turning AI-free on: %d %s", r.StatusCode, r.Body)
	}
	r := inst.Upload(users.User.Token, "gen.mp4", clip(t, "h264-aac.mp4"), map[string]string{"source": "ai"})
	if r.StatusCode != http.StatusForbidden || !strings.Contains(errorOf(t, r), "AI-free") {
		t.Errorf("AI upload on an AI-free instance: %d %s", r.StatusCode, r.Body)
	}
	if left := inst.Files("uploads"); len(left) != 0 {
		t.Errorf("refused upload left files: %v", left)
	}
}

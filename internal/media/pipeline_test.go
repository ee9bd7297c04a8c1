package media_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/testrig"
)

// builds gives one FFmpeg per build under test, sharing the test WASM cache.
func builds(t *testing.T) map[string]media.FFmpeg {
	out := map[string]media.FFmpeg{}
	for _, b := range testrig.FFmpegBuilds(t) {
		ff, err := media.NewFFmpeg(b, filepath.Join(os.TempDir(), "assay-test-wasm-cache"))
		if err != nil {
			t.Fatal(err)
		}
		out[b] = ff
	}
	return out
}

// stage copies a test clip into a directory of its own, as an upload is.
func stage(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	in, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(dir, "original")
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	out.Close()
	return dst
}

// streamMD5 hashes the packets of one stream without decoding them: equal
// hashes mean the stream's bytes were not touched.
func streamMD5(t *testing.T, ff media.FFmpeg, path, stream string) string {
	t.Helper()
	out, err := ff.Run(context.Background(), filepath.Dir(path), "ffmpeg", "-v", "error", "-i", path,
		"-map", stream, "-c", "copy", "-f", "md5", "-")
	if err != nil {
		t.Fatalf("hashing %s of %s: %v", stream, path, err)
	}
	return strings.TrimSpace(string(out))
}

func probe(t *testing.T, ff media.FFmpeg, path string) *media.Info {
	t.Helper()
	info, err := media.Probe(context.Background(), ff, path)
	if err != nil {
		t.Fatalf("probing %s: %v", path, err)
	}
	return info
}

func TestPlayableMP4PassesThroughUntouched(t *testing.T) {
	for name, ff := range builds(t) {
		t.Run(name, func(t *testing.T) {
			src := stage(t, "h264-aac.mp4")
			info := probe(t, ff, src)
			if !media.Playable(info) {
				t.Fatalf("an H.264/AAC yuv420p MP4 should pass through; probe: %+v %+v", info, info.Video)
			}
			dst := filepath.Join(filepath.Dir(src), "main.mp4")
			if err := media.Remux(context.Background(), ff, src, dst); err != nil {
				t.Fatal(err)
			}
			if a, b := streamMD5(t, ff, src, "0:v:0"), streamMD5(t, ff, dst, "0:v:0"); a != b {
				t.Errorf("video stream changed in pass-through: %s → %s", a, b)
			}
			if a, b := streamMD5(t, ff, src, "0:a:0"), streamMD5(t, ff, dst, "0:a:0"); a != b {
				t.Errorf("audio stream changed in pass-through: %s → %s", a, b)
			}
			raw, err := os.ReadFile(dst)
			if err != nil {
				t.Fatal(err)
			}
			if moov, mdat := strings.Index(string(raw), "moov"), strings.Index(string(raw), "mdat"); moov < 0 || moov > mdat {
				t.Errorf("moov should come before mdat (+faststart); moov at %d, mdat at %d", moov, mdat)
			}
			for _, secret := range []string{"+48.8577", "secret place"} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("identifying metadata %q survived", secret)
				}
			}
		})
	}
}

func TestOtherFormatsAreTranscodedToH264AAC(t *testing.T) {
	for name, ff := range builds(t) {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				file       string
				wantW      int
				wantH      int
				wantSource string
			}{
				{"vp9-opus.webm", 320, 240, "vp9"},
				{"rotated.mov", 240, 320, "mpeg4"}, // turned upright: orientation kept
			} {
				src := stage(t, tc.file)
				in := probe(t, ff, src)
				if media.Playable(in) || in.Video.Codec != tc.wantSource {
					t.Fatalf("%s: probe says %+v %+v; it needs transcoding", tc.file, in, in.Video)
				}
				dst := filepath.Join(filepath.Dir(src), "main.mp4")
				if err := media.Transcode(context.Background(), ff, src, dst, media.MaxShortSide, 23); err != nil {
					t.Fatalf("%s: %v", tc.file, err)
				}
				out := probe(t, ff, dst)
				if out.Video.Codec != "h264" || out.Audio == nil || out.Audio.Codec != "aac" || out.Video.PixFmt != "yuv420p" {
					t.Errorf("%s: result is %s/%v %s, want h264/aac yuv420p", tc.file, out.Video.Codec, out.Audio, out.Video.PixFmt)
				}
				if w, h := out.Video.Display(); w != tc.wantW || h != tc.wantH {
					t.Errorf("%s: result displays %d×%d, want %d×%d", tc.file, w, h, tc.wantW, tc.wantH)
				}
				if !media.Playable(out) {
					t.Errorf("%s: the transcoded file should itself be playable as is", tc.file)
				}
			}
		})
	}
}

func TestUHDComesOutAt1080WithA480Rendition(t *testing.T) {
	for name, ff := range builds(t) {
		t.Run(name, func(t *testing.T) {
			src := stage(t, "uhd.mp4")
			if media.Playable(probe(t, ff, src)) {
				t.Fatal("a 4K file is larger than we serve and must not pass through")
			}
			dir := filepath.Dir(src)
			for side, name := range map[int]string{media.MaxShortSide: "main.mp4", media.RenditionShortSide: "480.mp4"} {
				dst := filepath.Join(dir, name)
				if err := media.Transcode(context.Background(), ff, src, dst, side, 26); err != nil {
					t.Fatal(err)
				}
				out := probe(t, ff, dst)
				wantW := map[int]int{1080: 1920, 480: 854}[side] // 16:9, even
				if w, h := out.Video.Display(); h != side || w != wantW {
					t.Errorf("%s: %d×%d, want %d×%d", name, w, h, wantW, side)
				}
			}
			thumb := filepath.Join(dir, "thumb.jpg")
			if err := media.Thumbnail(context.Background(), ff, filepath.Join(dir, "main.mp4"), thumb, 1); err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(thumb)
			if http.DetectContentType(raw) != "image/jpeg" {
				t.Errorf("thumbnail is %s, want a JPEG", http.DetectContentType(raw))
			}
		})
	}
}

func TestBrokenInputsAreRefusedWithAReason(t *testing.T) {
	limits := media.Limits{MaxDuration: 10 * time.Minute}
	for name, ff := range builds(t) {
		t.Run(name, func(t *testing.T) {
			good := mustRead(t, "h264-aac.mp4") // moov last, as phones write it
			staged := stage(t, "h264-aac.mp4")
			faststart := filepath.Join(filepath.Dir(staged), "faststart.mp4") // the one directory ffmpeg may use
			if err := media.Remux(context.Background(), ff, staged, faststart); err != nil {
				t.Fatal(err)
			}
			moovFirst, _ := os.ReadFile(faststart)
			absurd := append([]byte{}, good...)
			copy(absurd[0:4], []byte{0x7f, 0xff, 0xff, 0xf0}) // ftyp claims 2 GiB
			cases := map[string]struct {
				body []byte
				want string
			}{
				"text":                  {[]byte("just some words, not a video\n"), "not a video we can read"},
				"empty":                 {nil, "not a video we can read"},
				"truncated, moov last":  {good[:len(good)*6/10], "moov atom not found"},
				"truncated, moov first": {moovFirst[:len(moovFirst)*6/10], "incomplete or damaged"},
				"absurdbox":             {absurd, "not a video we can read"},
				"onepixel":              {mustRead(t, "onepixel.mp4"), "1×1 pixels"},
			}
			for what, tc := range cases {
				dir := t.TempDir()
				path := filepath.Join(dir, "original")
				if err := os.WriteFile(path, tc.body, 0o600); err != nil {
					t.Fatal(err)
				}
				err := refuse(ff, path, limits)
				if err == nil {
					t.Errorf("%s: accepted", what)
					continue
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: refused with %q, want it to say %q", what, err, tc.want)
				}
				if strings.Contains(err.Error(), dir) {
					t.Errorf("%s: the reason shows a server path: %q", what, err)
				}
			}
		})
	}
}

// refuse runs the checks an upload passes before any work is spent on it.
func refuse(ff media.FFmpeg, path string, l media.Limits) error {
	info, err := media.Probe(context.Background(), ff, path)
	if err != nil {
		return err
	}
	if err := media.Check(info, l); err != nil {
		return err
	}
	return media.Verify(context.Background(), ff, path)
}

func mustRead(t *testing.T, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTooLongIsRefusedAt422(t *testing.T) {
	for name, ff := range builds(t) {
		t.Run(name, func(t *testing.T) {
			info := probe(t, ff, stage(t, "h264-aac.mp4"))
			err := media.Check(info, media.Limits{MaxDuration: time.Second})
			var public *apperr.Error
			if !errors.As(err, &public) || public.Status != http.StatusUnprocessableEntity || !strings.Contains(public.Public, "limit here is 1s") {
				t.Errorf("a 2 s clip over a 1 s limit: %v", err)
			}
		})
	}
}

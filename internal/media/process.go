package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/apperr"
)

// Sizes of what Assay serves, by the picture's short side (vertical video
// is the norm: a 1080×1920 clip is "1080p").
const (
	MaxShortSide       = 1080
	RenditionShortSide = 480
	ThumbShortSide     = 360
	minSide            = 16   // smaller is not a video anyone can watch
	maxSide            = 8192 // larger is not a phone clip, and would take the machine down
)

// Limits bound what an upload may be.
type Limits struct {
	MaxDuration time.Duration
}

// Check refuses, with a reason a person understands, what Assay will not
// process.
func Check(info *Info, l Limits) error {
	if info.Video == nil {
		return apperr.Unprocessable("this file has no video stream")
	}
	w, h := info.Video.Width, info.Video.Height
	if w < minSide || h < minSide {
		return apperr.Unprocessable(fmt.Sprintf("the picture is %d×%d pixels; a video needs at least %d×%d", w, h, minSide, minSide))
	}
	if w > maxSide || h > maxSide {
		return apperr.Unprocessable(fmt.Sprintf("the picture is %d×%d pixels; the largest we take is %d on a side", w, h, maxSide))
	}
	if info.Duration <= 0 {
		return apperr.Unprocessable("this video has no duration; the file may be incomplete")
	}
	if l.MaxDuration > 0 && info.Duration > l.MaxDuration.Seconds() {
		return apperr.Unprocessable(fmt.Sprintf("this video is %s long; the limit here is %s",
			time.Duration(info.Duration*float64(time.Second)).Round(time.Second), l.MaxDuration))
	}
	return nil
}

// Playable reports whether a file can be served as it is, remuxed only:
// H.264 in yuv420p (what every browser decodes), AAC or no sound, in MP4,
// no bigger than we serve.
func Playable(info *Info) bool {
	v := info.Video
	return info.MP4() && v.Codec == "h264" && v.PixFmt == "yuv420p" &&
		(info.Audio == nil || info.Audio.Codec == "aac") &&
		min(v.Width, v.Height) <= MaxShortSide
}

// Output is one file a step made.
type Output struct {
	Path          string
	Width, Height int // as displayed
	Size          int64
	Duration      float64
}

// ErrDamaged is a file that probes but cannot be read to the end.
var ErrDamaged = errors.New("the file is incomplete or damaged")

// Verify reads every packet of the file without decoding: a truncated or
// corrupt file fails here, before any work is spent on it.
func Verify(ctx context.Context, ff FFmpeg, src string) error {
	_, err := ff.Run(ctx, filepath.Dir(src), "ffmpeg",
		"-nostdin", "-v", "error", "-xerror", "-format_whitelist", acceptedFormats,
		"-i", src, "-map", "0", "-c", "copy", "-f", "null", "-")
	var exit *ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%w: %s", ErrDamaged, strings.ReplaceAll(exit.Stderr, src+": ", ""))
	}
	return err
}

// shortSide scales so the short side is at most side pixels, keeping the
// aspect and even dimensions (H.264 in yuv420p needs them). ffmpeg has
// already turned the picture upright, so iw and ih are as displayed.
func shortSide(side int) string {
	s := strconv.Itoa(side)
	return "scale=w='if(lte(iw,ih),min(" + s + ",trunc(iw/2)*2),-2)':h='if(lte(iw,ih),-2,min(" + s + ",trunc(ih/2)*2))'"
}

// common are the output options every MP4 shares: identifying metadata
// (location, device, creation time, chapters) dropped, moov first so
// playback starts before the download ends.
var common = []string{"-map_metadata", "-1", "-map_chapters", "-1", "-movflags", "+faststart", "-f", "mp4"}

// Remux copies the streams of a playable file into a fresh MP4 with moov
// first and no metadata; not one media byte changes.
func Remux(ctx context.Context, ff FFmpeg, src, dst string) error {
	args := []string{"-nostdin", "-y", "-v", "error", "-format_whitelist", acceptedFormats, "-i", src,
		"-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"}
	_, err := ff.Run(ctx, filepath.Dir(src), "ffmpeg", append(args, append(common, dst)...)...)
	return err
}

// Transcode encodes src to H.264 + AAC at most side pixels on the short
// side. crf trades size for quality (23 is x264's default; renditions use more).
//
// The WASM build has no assembly and one thread: there x264's veryfast
// takes seconds a frame at 1080p and bicubic scaling dominates, so it
// trades file size for time (ultrafast, bilinear) to stay usable.
func Transcode(ctx context.Context, ff FFmpeg, src, dst string, side, crf int) error {
	preset, scaler := "veryfast", "bicubic"
	if ff.Name() == "embedded" {
		preset, scaler = "ultrafast", "bilinear"
	}
	args := []string{"-nostdin", "-y", "-v", "error", "-format_whitelist", acceptedFormats, "-i", src,
		"-map", "0:v:0", "-map", "0:a:0?",
		"-vf", shortSide(side) + ":flags=" + scaler, "-c:v", "libx264", "-preset", preset, "-crf", strconv.Itoa(crf),
		"-pix_fmt", "yuv420p", "-profile:v", "high",
		"-c:a", "aac", "-b:a", "128k", "-ac", "2"}
	_, err := ff.Run(ctx, filepath.Dir(src), "ffmpeg", append(args, append(common, dst)...)...)
	return err
}

// Thumbnail writes a JPEG of the frame a second in (or a third of the way
// through a shorter clip).
func Thumbnail(ctx context.Context, ff FFmpeg, src, dst string, duration float64) error {
	at := strconv.FormatFloat(min(1, duration/3), 'f', 3, 64)
	_, err := ff.Run(ctx, filepath.Dir(src), "ffmpeg", "-nostdin", "-y", "-v", "error",
		"-ss", at, "-i", src, "-frames:v", "1", "-vf", shortSide(ThumbShortSide), "-q:v", "4",
		"-map_metadata", "-1", "-f", "image2", dst)
	if err != nil {
		return err
	}
	if st, err := os.Stat(dst); err != nil || st.Size() == 0 {
		return fmt.Errorf("%w: no frame could be decoded for a thumbnail", ErrDamaged)
	}
	return nil
}

// Describe probes a file Assay made, for its media row.
func Describe(ctx context.Context, ff FFmpeg, path string) (*Output, error) {
	info, err := Probe(ctx, ff, path)
	if err != nil {
		return nil, err
	}
	out := &Output{Path: path, Duration: info.Duration}
	if info.Video != nil {
		out.Width, out.Height = info.Video.Display()
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	out.Size = st.Size()
	return out, nil
}

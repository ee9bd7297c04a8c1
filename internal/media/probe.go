package media

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/assay-social/assay/internal/apperr"
)

// acceptedFormats are the demuxers an upload may use: mp4/mov and
// matroska/webm. Naming them to ffmpeg also keeps it from opening a
// "video" that is really a playlist pointing at other files.
const acceptedFormats = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"

// Info is what ffprobe says about a file.
type Info struct {
	Format   string  // ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Duration float64 // seconds
	Size     int64
	Video    *Stream
	Audio    *Stream // nil when silent
}

// Stream is one audio or video stream.
type Stream struct {
	Codec    string
	PixFmt   string
	Width    int
	Height   int
	Rotation int // degrees the player turns the picture (display matrix)
}

// Display returns the width and height as a viewer sees them.
func (s *Stream) Display() (w, h int) {
	if s.Rotation%180 != 0 {
		return s.Height, s.Width
	}
	return s.Width, s.Height
}

// MP4 reports whether the container is the ISO BMFF family.
func (i *Info) MP4() bool { return strings.Contains(i.Format, "mp4") }

type probeJSON struct {
	Format struct {
		FormatName string `json:"format_name"`
		Duration   string `json:"duration"`
		Size       string `json:"size"`
	} `json:"format"`
	Streams []struct {
		CodecType   string            `json:"codec_type"`
		CodecName   string            `json:"codec_name"`
		PixFmt      string            `json:"pix_fmt"`
		Width       int               `json:"width"`
		Height      int               `json:"height"`
		Duration    string            `json:"duration"`
		Tags        map[string]string `json:"tags"`
		Disposition map[string]int    `json:"disposition"`
		SideData    []struct {
			Rotation float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
}

// Probe runs ffprobe on path. A file ffprobe cannot read, or that is not
// one of the accepted containers, is a 422 whose message a person can act on.
func Probe(ctx context.Context, ff FFmpeg, path string) (*Info, error) {
	out, err := ff.Run(ctx, filepath.Dir(path), "ffprobe",
		"-v", "error", "-format_whitelist", acceptedFormats,
		"-print_format", "json", "-show_format", "-show_streams", path)
	var exit *ExitError
	if errors.As(err, &exit) {
		said := strings.ReplaceAll(exit.Stderr, path+": ", "")
		return nil, apperr.Unprocessable("this file is not a video we can read (MP4, MOV, WebM or MKV): " + said)
	}
	if err != nil {
		return nil, err
	}
	var p probeJSON
	if err := json.Unmarshal(out, &p); err != nil {
		return nil, fmt.Errorf("reading ffprobe output: %w", err)
	}
	info := &Info{Format: p.Format.FormatName}
	info.Duration, _ = strconv.ParseFloat(p.Format.Duration, 64)
	info.Size, _ = strconv.ParseInt(p.Format.Size, 10, 64)
	for _, s := range p.Streams {
		st := &Stream{Codec: s.CodecName, PixFmt: s.PixFmt, Width: s.Width, Height: s.Height}
		switch {
		case s.CodecType == "video" && info.Video == nil && s.Disposition["attached_pic"] == 0:
			for _, sd := range s.SideData {
				st.Rotation = normalizeDegrees(int(sd.Rotation))
			}
			if r, err := strconv.Atoi(s.Tags["rotate"]); err == nil {
				st.Rotation = normalizeDegrees(r)
			}
			info.Video = st
		case s.CodecType == "audio" && info.Audio == nil:
			info.Audio = st
		}
	}
	return info, nil
}

func normalizeDegrees(d int) int { return ((d % 360) + 360) % 360 }

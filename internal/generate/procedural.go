package generate

import (
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/assay-social/assay/internal/media"
)

// Procedural renders a clip from the prompt with ffmpeg filters and no
// model: an offline stand-in that still goes the whole way (queue, media
// pipeline, label, federation). Everything it picks — palette, motion,
// tone — comes from a hash of the prompt, so the same prompt gives the same
// clip; the prompt's own words float over it.
type Procedural struct {
	FFmpeg media.FFmpeg
}

func (p *Procedural) Name() string  { return "procedural" }
func (p *Procedural) Model() string { return "assay-procedural-1" }

// hdAspects are the frame sizes with the system ffmpeg: 720p, as a phone
// records and as hosted models deliver.
var hdAspects = map[string][2]int{"9:16": {720, 1280}, "16:9": {1280, 720}, "1:1": {720, 720}}

// look is what the prompt's hash decides.
type look struct {
	c0, c1, c2 string // hex colours
	speed      string // gradient speed
	seed       int64
	tone       int // Hz
	drift      int // pixels the words sway
}

func lookOf(prompt string) look {
	h := sha256.Sum256([]byte(prompt))
	hex := func(b []byte) string { return fmt.Sprintf("0x%02x%02x%02x", b[0], b[1], b[2]) }
	return look{
		c0: hex(h[0:3]), c1: hex(h[3:6]), c2: hex(h[6:9]),
		speed: strconv.FormatFloat(0.005+float64(h[9])/255*0.03, 'f', 4, 64),
		seed:  int64(h[10])<<16 | int64(h[11])<<8 | int64(h[12]),
		tone:  220 + int(h[13])*2, drift: 10 + int(h[14])%40,
	}
}

func (p *Procedural) Generate(ctx context.Context, req Request, report Reporter) (string, error) {
	size, ok := Aspects[req.Aspect]
	if !ok {
		return "", &Error{Kind: FailRejected, Detail: "aspect is 9:16, 16:9 or 1:1"}
	}
	if p.FFmpeg.Name() != "embedded" {
		size = hdAspects[req.Aspect] // the embedded build would take minutes at 720p
	}
	if err := report.Progress(ctx, 5); err != nil {
		return "", err
	}
	words := filepath.Join(req.Dir, "words.png")
	if err := writeWords(words, req.Prompt, size[0]); err != nil {
		return "", err
	}
	l := lookOf(req.Prompt)
	w, h, secs := size[0], size[1], strconv.Itoa(req.Seconds)
	out := filepath.Join(req.Dir, "generated.mp4")
	preset := "veryfast"
	background := fmt.Sprintf("gradients=s=%dx%d:r=24:c0=%s:c1=%s:c2=%s:n=3:speed=%s:seed=%d:d=%s",
		w, h, l.c0, l.c1, l.c2, l.speed, l.seed, secs)
	if p.FFmpeg.Name() == "embedded" {
		// The WebAssembly build draws gradients at under a frame a second;
		// a plain colour keeps a clip to seconds, and the words still move.
		preset = "ultrafast"
		background = fmt.Sprintf("color=c=%s:s=%dx%d:r=24:d=%s", l.c0, w, h, secs)
	}
	_, err := p.FFmpeg.Run(ctx, req.Dir, "ffmpeg", "-nostdin", "-y", "-v", "error",
		"-f", "lavfi", "-i", background,
		"-loop", "1", "-framerate", "24", "-t", secs, "-i", words,
		"-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=%d:sample_rate=48000:d=%s", l.tone, secs),
		"-filter_complex", fmt.Sprintf("[0:v][1:v]overlay=x=(W-w)/2:y=(H-h)/2+%d*sin(t*1.3)[v];[2:a]volume=0.2[a]", l.drift),
		// An exact frame count: -t alone may end a frame early or late,
		// depending on which input the muxer drains first.
		"-map", "[v]", "-map", "[a]", "-t", secs, "-frames:v", strconv.Itoa(req.Seconds*24),
		// One encoder thread: with several, x264's frame threads can take
		// different decisions near the end of the clip from run to run, and
		// the same prompt must give the same clip.
		"-c:v", "libx264", "-threads", "1", "-preset", preset, "-crf", "23", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-f", "mp4", out)
	if err != nil {
		return "", fmt.Errorf("rendering: %w", err)
	}
	os.Remove(words)
	return out, report.Progress(ctx, 95)
}

// writeWords draws the prompt's words, wrapped, in a scaled bitmap font
// onto a transparent PNG as wide as the frame.
func writeWords(path, prompt string, width int) error {
	const scale = 3
	face := basicfont.Face7x13
	cols := max(8, width/scale/7-2)
	var lines []string
	line := ""
	for _, word := range strings.Fields(prompt) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= cols:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
		if len(lines) == 4 {
			break
		}
	}
	if line != "" && len(lines) < 4 {
		lines = append(lines, line)
	}
	small := image.NewNRGBA(image.Rect(0, 0, cols*7+8, len(lines)*15+6))
	d := &font.Drawer{Dst: small, Src: image.NewUniform(color.White), Face: face}
	for i, l := range lines {
		if len(l) > cols {
			l = l[:cols]
		}
		d.Dot = fixed.P(4+(cols-len(l))*7/2, 14+i*15)
		d.DrawString(l)
	}
	b := small.Bounds()
	big := image.NewNRGBA(image.Rect(0, 0, b.Dx()*scale, b.Dy()*scale))
	for y := 0; y < big.Bounds().Dy(); y++ {
		for x := 0; x < big.Bounds().Dx(); x++ {
			big.Set(x, y, small.At(x/scale, y/scale))
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, big); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

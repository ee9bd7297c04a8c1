package media_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/media"
)

// benchClip makes a 10 s clip with the system ffmpeg (the benchmarks
// compare against it, so they need it) in dir.
func benchClip(b *testing.B, dir, name string, args ...string) string {
	b.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		b.Skip("the media benchmarks compare with the system ffmpeg: apt-get install ffmpeg")
	}
	path := filepath.Join(dir, name)
	base := []string{"-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30:duration=10",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=10"}
	if out, err := exec.Command("ffmpeg", append(append(base, args...), path)...).CombinedOutput(); err != nil {
		b.Fatalf("making %s: %v: %s", name, err, out)
	}
	return path
}

// BenchmarkTranscodeVersusPlainFFmpeg runs Assay's transcode of a 10 s
// 1080p MOV (MPEG-4 Part 2 + PCM, so it cannot pass through) and the plain
// ffmpeg command a person would type for the same job, alternately in one
// run, and reports their ratio (target ≤ 1.2).
func BenchmarkTranscodeVersusPlainFFmpeg(b *testing.B) {
	dir := b.TempDir()
	src := benchClip(b, dir, "camera.mov", "-c:v", "mpeg4", "-q:v", "3", "-c:a", "pcm_s16le")
	ff, err := media.NewFFmpeg("system", "")
	if err != nil {
		b.Fatal(err)
	}
	var assay, plain time.Duration
	for b.Loop() {
		start := time.Now()
		if err := media.Transcode(context.Background(), ff, src, filepath.Join(dir, "assay.mp4"), media.MaxShortSide, 23); err != nil {
			b.Fatal(err)
		}
		assay += time.Since(start)
		start = time.Now()
		cmd := exec.Command("ffmpeg", "-v", "error", "-y", "-i", src, "-c:v", "libx264", "-preset", "veryfast",
			"-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", filepath.Join(dir, "plain.mp4"))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("plain ffmpeg: %v: %s", err, out)
		}
		plain += time.Since(start)
	}
	b.ReportMetric(assay.Seconds()/float64(b.N), "assay-s/op")
	b.ReportMetric(plain.Seconds()/float64(b.N), "plain-s/op")
	b.ReportMetric(assay.Seconds()/plain.Seconds(), "ratio")
	os.Remove(src)
}

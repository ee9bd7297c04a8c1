package provenance

import (
	"os"
	"path/filepath"
	"testing"
)

// largestFixture is the biggest media fixture (3.5 MB, 3.4 MB of it mdat).
const largestFixture = "c2pa/prmiere-firefly.mp4"

func openFixture(tb testing.TB, name string) (*os.File, int64) {
	tb.Helper()
	f, err := os.Open(fixturePath(name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		tb.Fatal(err)
	}
	return f, st.Size()
}

// bigMoovAtEnd writes a sparse file: ftyp, a 200 MB mdat (a hole), then the
// real moov of a fixture and an XMP box with a label; moov at the end like
// a file straight out of a camera or an encoder without faststart.
func bigMoovAtEnd(tb testing.TB) (string, int64) {
	tb.Helper()
	const mdatSize = 200 << 20
	src := readFixture(tb, largestFixture)
	var moov []byte
	for _, b := range topBoxes(tb, src) {
		if b.Type == "moov" {
			moov = src[b.Offset:b.End()]
		}
	}
	path := filepath.Join(tb.TempDir(), "big.mp4")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	head := cat(ftypBox, u32(mdatSize), []byte("mdat"))
	tail := cat(moov, xmpLabel())
	if _, err := f.Write(head); err != nil {
		tb.Fatal(err)
	}
	if _, err := f.WriteAt(tail, int64(len(ftypBox))+mdatSize); err != nil {
		tb.Fatal(err)
	}
	return path, int64(len(ftypBox)) + mdatSize + int64(len(tail))
}

func benchmarkDetect(b *testing.B, f *os.File, size int64) {
	b.ReportAllocs()
	var bytesRead, calls int64
	for b.Loop() {
		cr := &countingReader{r: f}
		res, err := Detect(cr, size)
		if err != nil || res == nil {
			b.Fatal(err)
		}
		bytesRead += cr.bytes
		calls += int64(cr.calls)
	}
	b.ReportMetric(float64(bytesRead)/float64(b.N), "bytes-read/op")
	b.ReportMetric(float64(calls)/float64(b.N), "reads/op")
	b.ReportMetric(float64(size), "file-bytes")
}

// BenchmarkDetect scans the largest fixture from disk.
func BenchmarkDetect(b *testing.B) {
	f, size := openFixture(b, largestFixture)
	benchmarkDetect(b, f, size)
}

// BenchmarkDetect200MBMoovAtEnd: the target, a 200 MB MP4 whose moov
// is at the end, must scan in well under 20 ms.
func BenchmarkDetect200MBMoovAtEnd(b *testing.B) {
	path, size := bigMoovAtEnd(b)
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	benchmarkDetect(b, f, size)
}

// Detect reads headers and metadata boxes only: never the media data.
func TestDetectReadsLittle(t *testing.T) {
	t.Run(largestFixture, func(t *testing.T) {
		f, size := openFixture(t, largestFixture)
		cr := &countingReader{r: f}
		if _, err := Detect(cr, size); err != nil {
			t.Fatal(err)
		}
		var mdat Box
		for b, err := range Boxes(f, 0, size) {
			if err != nil {
				t.Fatal(err)
			}
			if b.Type == "mdat" {
				mdat = b
			}
		}
		for _, r := range cr.ranges {
			if r[0] < mdat.End() && r[1] > mdat.DataOffset() {
				t.Errorf("read %v inside mdat %d-%d", r, mdat.DataOffset(), mdat.End())
			}
		}
		if cr.bytes*50 > size {
			t.Errorf("read %d of %d bytes (over 2%%)", cr.bytes, size)
		}
		t.Logf("read %d bytes of %d (%.2f%%) in %d reads", cr.bytes, size, 100*float64(cr.bytes)/float64(size), cr.calls)
	})
	t.Run("200 MB, moov at the end", func(t *testing.T) {
		path, size := bigMoovAtEnd(t)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cr := &countingReader{r: f}
		res, err := Detect(cr, size)
		if err != nil || !res.Synthetic {
			t.Fatalf("res %+v err %v", res, err)
		}
		// Reads are proportional to the number of boxes, not to the size.
		if cr.bytes > 64<<10 || cr.calls > 100 {
			t.Errorf("read %d bytes in %d calls", cr.bytes, cr.calls)
		}
		t.Logf("read %d bytes of %d in %d reads", cr.bytes, size, cr.calls)
	})
}

package provenance

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The issue 5 target: the provenance scan of a 200 MB MP4 whose moov is at
// the end takes under 20 ms, with reads proportional to the number of boxes
// (not to the file size). See docs/BENCHMARKS.md, "Labels and timelines".
//
//	go test ./internal/provenance/ -run XXX -bench Scan -benchtime 200x

// scanFile describes one generated file for the scan benchmark.
type scanFile struct {
	mdat  int64 // size of the (sparse) mdat box, header included
	frees int   // extra top-level free boxes between mdat and moov
}

// writeScanFile writes a sparse ISO BMFF file: ftyp, an mdat of f.mdat bytes
// (a hole: nothing is written inside it), f.frees small free boxes, the real
// moov of the largest fixture, then the fixture's C2PA manifest box (which
// declares AI). moov and the manifest are at the very end, as in a file
// straight out of an encoder without faststart. It returns the path, the
// file size and the number of top-level boxes.
func writeScanFile(tb testing.TB, f scanFile) (string, int64, int) {
	tb.Helper()
	src := readFixture(tb, largestFixture)
	var moov, c2pa []byte
	for _, b := range topBoxes(tb, src) {
		switch {
		case b.Type == "moov":
			moov = src[b.Offset:b.End()]
		case b.Type == "uuid" && b.UUID == c2paUUID:
			c2pa = src[b.Offset:b.End()]
		}
	}
	if moov == nil || c2pa == nil {
		tb.Fatalf("%s: no moov or no C2PA box", largestFixture)
	}
	if f.mdat > 1<<32-1 {
		tb.Fatal("mdat too large for a 32-bit box size")
	}
	var tail []byte
	for range f.frees {
		tail = append(tail, box("free", make([]byte, 24))...)
	}
	tail = cat(tail, moov, c2pa)

	path := filepath.Join(tb.TempDir(), "scan.mp4")
	out, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	if _, err := out.Write(cat(ftypBox, u32(uint32(f.mdat)), []byte("mdat"))); err != nil {
		tb.Fatal(err)
	}
	tailOff := int64(len(ftypBox)) + f.mdat
	if _, err := out.WriteAt(tail, tailOff); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return path, tailOff + int64(len(tail)), 4 + f.frees // ftyp, mdat, frees, moov, uuid
}

// scanOnce runs Detect through a counting reader and checks the answer.
func scanOnce(tb testing.TB, fh *os.File, size int64) *countingReader {
	cr := &countingReader{r: fh}
	res, err := Detect(cr, size)
	if err != nil {
		tb.Fatal(err)
	}
	if !res.Synthetic || !res.HasC2PA {
		tb.Fatalf("scan missed the label: %+v", res)
	}
	return cr
}

var scanCases = []struct {
	name string
	file scanFile
}{
	{"200MB/frees=0", scanFile{mdat: 200 << 20}},
	{"200MB/frees=10", scanFile{mdat: 200 << 20, frees: 10}},
	{"200MB/frees=100", scanFile{mdat: 200 << 20, frees: 100}},
	{"200MB/frees=1000", scanFile{mdat: 200 << 20, frees: 1000}},
	// Same boxes, other sizes: reads and bytes must not change.
	{"20MB/frees=0", scanFile{mdat: 20 << 20}},
	{"2000MB/frees=0", scanFile{mdat: 2000 << 20}},
}

func BenchmarkScanMoovAtEnd(b *testing.B) {
	for _, c := range scanCases {
		b.Run(c.name, func(b *testing.B) {
			path, size, boxes := writeScanFile(b, c.file)
			fh, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer fh.Close()
			scanOnce(b, fh, size) // warm the page cache for the tail
			b.ReportAllocs()
			var bytesRead, calls int64
			b.ResetTimer()
			for b.Loop() {
				cr := scanOnce(b, fh, size)
				bytesRead += cr.bytes
				calls += int64(cr.calls)
			}
			b.ReportMetric(float64(calls)/float64(b.N), "reads/op")
			b.ReportMetric(float64(bytesRead)/float64(b.N), "bytes-read/op")
			b.ReportMetric(float64(boxes), "top-boxes")
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
		})
	}
}

// BenchmarkScanDetectFile is the production entry point (open, stat, scan,
// close) on the 200 MB file, without the counting wrapper.
func BenchmarkScanDetectFile(b *testing.B) {
	path, _, _ := writeScanFile(b, scanFile{mdat: 200 << 20})
	b.ReportAllocs()
	for b.Loop() {
		res, err := DetectFile(path)
		if err != nil || !res.Synthetic {
			b.Fatalf("res %+v err %v", res, err)
		}
	}
}

// TestScanReadsProportionalToBoxes keeps the benchmark's claims from
// regressing silently: the 200 MB scan reads far less than 1 MB, never
// touches the mdat payload, and its read count grows with the number of
// boxes but not with the file size.
func TestScanReadsProportionalToBoxes(t *testing.T) {
	type got struct {
		calls int
		bytes int64
	}
	results := map[string]got{}
	for _, c := range scanCases {
		t.Run(c.name, func(t *testing.T) {
			path, size, boxes := writeScanFile(t, c.file)
			fh, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer fh.Close()
			cr := scanOnce(t, fh, size)
			mdatStart, mdatEnd := int64(len(ftypBox))+8, int64(len(ftypBox))+c.file.mdat
			for _, r := range cr.ranges {
				if r[0] < mdatEnd && r[1] > mdatStart {
					t.Errorf("read %v inside the mdat payload %d-%d", r, mdatStart, mdatEnd)
				}
			}
			if cr.bytes >= 1<<20 {
				t.Errorf("read %d bytes of %d (limit 1 MiB)", cr.bytes, size)
			}
			// A few reads per box: its header, a uuid's extended type, and the
			// payload of the few boxes whose content matters.
			if limit := 3*boxes + 64; cr.calls > limit {
				t.Errorf("%d reads for %d top-level boxes (limit %d)", cr.calls, boxes, limit)
			}
			results[c.name] = got{cr.calls, cr.bytes}
			t.Logf("%d top-level boxes, %.0f MiB: %d reads, %d bytes", boxes, float64(size)/(1<<20), cr.calls, cr.bytes)
		})
	}
	// The file size alone changes nothing.
	base := results["200MB/frees=0"]
	for _, name := range []string{"20MB/frees=0", "2000MB/frees=0"} {
		if r := results[name]; r != base {
			t.Errorf("%s: %+v, 200MB: %+v; reads should not depend on the size", name, r, base)
		}
	}
	// Each extra box costs exactly one header read of 8 bytes.
	for _, n := range []int{10, 100, 1000} {
		r := results[fmt.Sprintf("200MB/frees=%d", n)]
		if r.calls-base.calls != n || r.bytes-base.bytes != int64(8*n) {
			t.Errorf("frees=%d: %+v, frees=0: %+v; want exactly %d more reads of 8 bytes", n, r, base, n)
		}
	}
}

package provenance

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Truncating a real file anywhere gives a clean answer: a valid file when
// the cut falls between top-level boxes, ErrMalformed (or, inside the first
// box, ErrUnsupportedFormat) otherwise, and never a panic.
func TestTruncated(t *testing.T) {
	for _, name := range []string{"c2pa/prmiere-firefly.mp4", "c2pa/dashinit.mp4", "no-c2pa/test-video.mp4", "c2pa-images/ocsp.jpg", "c2pa-images/amazon-titan-g1.png"} {
		full := readFixture(t, name)
		boundaries := map[int64]bool{}
		valid := func(c int64) bool { return boundaries[c] }
		switch {
		case strings.HasSuffix(name, ".jpg"):
			// Reading stops at the start of scan: what follows is image data.
			sos := jpegSOS(full)
			valid = func(c int64) bool { return c >= sos+2 }
		case strings.HasSuffix(name, ".png"):
		default:
			for _, b := range topBoxes(t, full) {
				boundaries[b.End()] = true
			}
		}
		cuts := []int64{0, 1, 7, 8, 9, 15, 16, 23, 24, 25, int64(len(full)) - 1}
		for c := int64(0); c < min(int64(len(full)), 100_000); c += 997 {
			cuts = append(cuts, c)
		}
		for _, c := range cuts {
			res, err := detectBytes(t, full[:c])
			switch {
			case valid(c):
				if err != nil {
					t.Errorf("%s cut at box boundary %d: %v", name, c, err)
				}
			case err == nil:
				t.Errorf("%s cut at %d: no error (res %+v)", name, c, res)
			case !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedFormat):
				t.Errorf("%s cut at %d: unexpected error %v", name, c, err)
			}
		}
	}
}

// jpegSOS is the offset of a JPEG's start-of-scan marker.
func jpegSOS(b []byte) int64 {
	off := 2
	for off+4 <= len(b) && b[off+1] != 0xDA {
		off += 2 + int(binary.BigEndian.Uint16(b[off+2:]))
	}
	return int64(off)
}

// What was found before the damage is still returned with the error.
func TestTruncatedKeepsPartialResult(t *testing.T) {
	full := readFixture(t, "c2pa/prmiere-firefly.mp4")
	res, err := detectBytes(t, full[:len(full)/2]) // mid-mdat
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("err = %v", err)
	}
	if res == nil || !res.Synthetic || !res.HasC2PA {
		t.Fatalf("partial result %+v", res)
	}
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

var ftypBox = box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))

func xmpLabel() []byte {
	return uuidBox(xmpUUID, []byte(packet("", `<Iptc4xmpExt:DigitalSourceType>trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>`)))
}

func TestBoxSizeEdgeCases(t *testing.T) {
	cases := []struct {
		name      string
		file      []byte
		err       error // nil: success
		synthetic bool
	}{
		{"size 0 last box runs to EOF", cat(ftypBox, xmpLabel(), u32(0), []byte("mdat"), make([]byte, 100)), nil, true},
		{"size 0 first box is the whole file", cat(u32(0), []byte("ftyp"), xmpLabel()), nil, false},
		{"size 1 with a 64-bit size", cat(ftypBox, u32(1), []byte("mdat"), u64(16+50), make([]byte, 50), xmpLabel()), nil, true},
		{"size 1 uuid box", cat(ftypBox, u32(1), []byte("uuid"), u64(uint64(16+len(xmpLabel())-8)), xmpLabel()[8:]), nil, true},
		{"64-bit size smaller than its header", cat(ftypBox, u32(1), []byte("mdat"), u64(15), make([]byte, 50)), ErrMalformed, false},
		{"64-bit size past EOF", cat(ftypBox, u32(1), []byte("mdat"), u64(1<<40), make([]byte, 50)), ErrMalformed, false},
		{"64-bit size 2^64-1", cat(ftypBox, u32(1), []byte("mdat"), u64(^uint64(0)), make([]byte, 50)), ErrMalformed, false},
		{"64-bit size truncated", cat(ftypBox, u32(1), []byte("mdat"), []byte{0, 0}), ErrMalformed, false},
		{"size smaller than 8", cat(ftypBox, u32(4), []byte("mdat"), make([]byte, 50)), ErrMalformed, false},
		{"size past EOF", cat(ftypBox, u32(1<<30), []byte("mdat"), make([]byte, 50)), ErrMalformed, false},
		{"uuid box too small for its uuid", cat(ftypBox, u32(20), []byte("uuid"), make([]byte, 12)), ErrMalformed, false},
		{"stray bytes at the end", cat(ftypBox, []byte{1, 2, 3}), ErrMalformed, false},
		{"child past its moov", cat(ftypBox, box("moov", u32(500), []byte("udta"))), ErrMalformed, false},
		{"XMP_ past its udta", cat(ftypBox, box("moov", box("udta", u32(100), []byte("XMP_")))), ErrMalformed, false},
		{"C2PA purpose not terminated", cat(ftypBox, uuidBox(c2paUUID, []byte{0, 0, 0, 0}, []byte("manifes"))), ErrMalformed, false},
		{"C2PA merkle box carries no manifest", cat(ftypBox, uuidBox(c2paUUID, []byte{0, 0, 0, 0}, []byte("merkle\x00"), make([]byte, 40))), nil, false},
		{"C2PA store not JUMBF", cat(ftypBox, c2paBoxBytes([]byte("garbage garbage"))), ErrMalformed, false},
		{"C2PA JUMBF size past its box", cat(ftypBox, c2paBoxBytes(cat(u32(1000), []byte("jumb"), make([]byte, 20)))), ErrMalformed, false},
		{"C2PA superbox without jumd", cat(ftypBox, c2paBoxBytes(box("jumb", box("free", make([]byte, 20))))), ErrMalformed, false},
		{"C2PA jumd too short", cat(ftypBox, c2paBoxBytes(box("jumb", box("jumd", make([]byte, 5))))), ErrMalformed, false},
		{"C2PA store of another JUMBF type", cat(ftypBox, c2paBoxBytes(superboxBytes("xxxx", "x"))), ErrMalformed, false},
		{"C2PA 64-bit JUMBF size lies", cat(ftypBox, c2paBoxBytes(cat(u32(1), []byte("jumb"), u64(1<<62)))), ErrMalformed, false},
		{"text file", []byte("hello, this is not a video at all\n"), ErrUnsupportedFormat, false},
		{"empty", nil, ErrUnsupportedFormat, false},
		{"three bytes", []byte{0, 0, 0}, ErrUnsupportedFormat, false},
		{"JPEG without scan", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10}, ErrMalformed, false},
		{"JPEG bad segment length", []byte{0xFF, 0xD8, 0xFF, 0xEB, 0x00, 0x01, 0xFF, 0xDA}, ErrMalformed, false},
		{"PNG without IEND", cat(pngMagic, u32(0), []byte("IHDR"), u32(0)), ErrMalformed, false},
		{"PNG chunk past EOF", cat(pngMagic, u32(1<<31-1), []byte("caBX"), u32(0)), ErrMalformed, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := detectBytes(t, tc.file)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if res.Synthetic != tc.synthetic {
					t.Errorf("Synthetic = %v, want %v", res.Synthetic, tc.synthetic)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
		})
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// sparseFile is a large file of zeros with a few real byte ranges, so that
// sizes far beyond the test's memory can be declared without being stored.
type sparseFile struct {
	size  int64
	parts map[int64][]byte
}

func (s *sparseFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), s.size-off)
	clear(p[:n])
	for at, b := range s.parts {
		lo, hi := max(at, off), min(at+int64(len(b)), off+n)
		if lo < hi {
			copy(p[lo-off:hi-off], b[lo-at:hi-at])
		}
	}
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// allocDuring reports the bytes allocated while f runs.
func allocDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Metadata boxes bigger than the limits are refused before anything is
// allocated for them.
func TestOversizedMetadataNotAllocated(t *testing.T) {
	const big = 1 << 30
	header := func(typ string, size uint32, id [16]byte) []byte {
		return cat(u32(size), []byte(typ), id[:])
	}
	cases := []struct {
		name  string
		parts map[int64][]byte
	}{
		{"C2PA store over 32 MiB", map[int64][]byte{
			0:                   ftypBox,
			int64(len(ftypBox)): cat(header("uuid", 40<<20, c2paUUID), []byte{0, 0, 0, 0}, []byte("manifest\x00")),
		}},
		{"XMP over 4 MiB", map[int64][]byte{0: ftypBox, int64(len(ftypBox)): header("uuid", 5<<20, xmpUUID)}},
		{"moov/udta/XMP_ over 4 MiB", map[int64][]byte{
			0: ftypBox, int64(len(ftypBox)): cat(u32(5<<20+32), []byte("moov"), u32(5<<20+24), []byte("udta"), u32(5<<20+16), []byte("XMP_")),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &sparseFile{size: big, parts: tc.parts}
			var err error
			alloc := allocDuring(func() { _, err = Detect(f, big) })
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if alloc > 1<<20 {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
}

// Nesting that a recursive reader would follow forever is not followed.
func TestAbsurdNesting(t *testing.T) {
	t.Run("boxes", func(t *testing.T) {
		inner := box("udta", box("XMP_", []byte(packet("", `<Iptc4xmpExt:DigitalSourceType>trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>`))))
		for range 5000 {
			inner = box("moov", inner)
		}
		res, err := detectBytes(t, cat(ftypBox, inner))
		if err != nil || res.Synthetic {
			t.Fatalf("res %+v err %v (XMP_ is only read at moov/udta/XMP_)", res, err)
		}
	})
	t.Run("JUMBF", func(t *testing.T) {
		inner := superboxBytes("c2as", "x")
		for range 2000 {
			inner = superboxBytes("c2ma", "m", inner)
		}
		res, err := detectBytes(t, mp4WithStore(storeBytes(inner)))
		if err != nil || !res.HasC2PA || len(res.Findings) != 0 {
			t.Fatalf("res %+v err %v", res, err)
		}
	})
	t.Run("CBOR", func(t *testing.T) {
		deep := cat(bytes.Repeat([]byte{0x81}, 100_000), []byte{0x00})
		if _, err := decodeActions(deep); err == nil {
			t.Fatal("100000 nested arrays decoded")
		}
		assertion := superboxBytes("cbor", "c2pa.actions", box("cbor", cat([]byte{0xA1, 0x67}, []byte("actions"), deep)))
		res, err := detectBytes(t, mp4WithStore(storeBytes(manifestBytes("urn:x", assertion))))
		if err != nil || len(res.Findings) != 0 {
			t.Fatalf("res %+v err %v", res, err)
		}
	})
	t.Run("XML", func(t *testing.T) {
		deep := strings.Repeat("<a>", 200_000) + `<Iptc4xmpExt:DigitalSourceType>trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>`
		start := time.Now()
		got := parseXMP([]byte(deep))
		if len(got) != 1 || time.Since(start) > 10*time.Second {
			t.Fatalf("got %+v in %v", got, time.Since(start))
		}
	})
	t.Run("broken 4 MiB XMP full of keys", func(t *testing.T) {
		unit := `DigitalSourceType rdf:resource="` + strings.Repeat("x", 300) + `AIGC>{` + strings.Repeat(" ", 200) + "<"
		big := strings.Repeat(unit, MaxXMP/len(unit))
		start := time.Now()
		parseXMP([]byte(big))
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
	t.Run("a million boxes", func(t *testing.T) {
		file := cat(ftypBox, bytes.Repeat(box("free"), maxBoxes+1))
		if _, err := detectBytes(t, file); !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v", err)
		}
	})
}

// A manifest declaring thousands of distinct actions costs linear time and
// a bounded list of findings.
func TestManyFindings(t *testing.T) {
	var actions []any
	for i := range 10_000 {
		actions = append(actions, M{"action": "a" + strings.Repeat("x", i%50) + string(rune('A'+i%26)), "digitalSourceType": DigitalCapture})
	}
	actions = append(actions, M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia})
	var manifests [][]byte
	for i := range 20 {
		manifests = append(manifests, manifestBytes("urn:"+string(rune('a'+i)), cborAssertion(t, "c2pa.actions", M{"actions": actions})))
	}
	start := time.Now()
	res, err := detectBytes(t, mp4WithStore(storeBytes(manifests...)))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Synthetic || res.DigitalSourceType != TrainedAlgorithmicMedia || len(res.Findings) > maxFindings+2 {
		t.Fatalf("synthetic=%v dst=%s %d findings", res.Synthetic, res.DigitalSourceType, len(res.Findings))
	}
	t.Logf("%d findings kept, %v", len(res.Findings), time.Since(start))
}

// CBOR whose headers promise more than the data holds, or nest without
// end, is refused quickly and without allocating what it promises.
func TestCBORBombs(t *testing.T) {
	cases := map[string][]byte{
		"array of 2^32-1 elements":    {0x9A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00},
		"map of 2^63 pairs":           {0xBB, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
		"byte string of 2^62 bytes":   {0x5B, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3},
		"text string of 2^32-1 bytes": {0x7A, 0xFF, 0xFF, 0xFF, 0xFF, 'a'},
		"indefinite arrays unclosed":  bytes.Repeat([]byte{0x9F}, 100_000),
		"tags nested":                 cat(bytes.Repeat([]byte{0xC6}, 100_000), []byte{0}),
		"actions: huge count":         cat([]byte{0xA1, 0x67}, []byte("actions"), []byte{0x9B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}),
		"indefinite string chunks":    cat([]byte{0x7F}, bytes.Repeat([]byte{0x60}, 500_000), []byte{0xFF}),
		"empty":                       {},
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			var err error
			alloc := allocDuring(func() { _, err = decodeActions(data) })
			if err == nil && name != "indefinite string chunks" {
				t.Errorf("no error")
			}
			if alloc > 16<<20 {
				t.Errorf("allocated %d bytes for %d bytes of input", alloc, len(data))
			}
		})
	}
	// Many small, valid actions: memory stays proportional to the input.
	var b bytes.Buffer
	b.Write([]byte{0xA1, 0x67})
	b.WriteString("actions")
	b.Write([]byte{0x9A})
	b.Write(u32(60_000))
	for range 60_000 {
		b.Write([]byte{0xA1, 0x66})
		b.WriteString("action")
		b.Write([]byte{0x61, 'x'})
	}
	var got []actionSource
	var err error
	alloc := allocDuring(func() { got, err = decodeActions(b.Bytes()) })
	if err != nil || len(got) != 0 {
		t.Fatalf("got %d, err %v", len(got), err)
	}
	if alloc > uint64(64*b.Len()) {
		t.Errorf("allocated %d bytes for %d bytes of input", alloc, b.Len())
	}
}

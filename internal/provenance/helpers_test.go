package provenance

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

const fixtureDir = "../../../shared/fixtures/media"

func fixturePath(name string) string { return filepath.Join(fixtureDir, name) }

func readFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(fixturePath(name))
	if err != nil {
		tb.Fatalf("fixture %s: %v", name, err)
	}
	return b
}

// box builds an ISO BMFF (or JUMBF) box with a 32-bit size.
func box(typ string, payload ...[]byte) []byte {
	body := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	b = append(b, typ...)
	return append(b, body...)
}

// uuidBox builds a top-level uuid box.
func uuidBox(id [16]byte, payload ...[]byte) []byte {
	return box("uuid", append([][]byte{id[:]}, payload...)...)
}

// minimalMP4 is ftyp + moov (with the given moov children) + a small mdat.
func minimalMP4(moovChildren ...[]byte) []byte {
	ftyp := box("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	mvhd := box("mvhd", make([]byte, 100))
	moov := box("moov", append([][]byte{mvhd}, moovChildren...)...)
	mdat := box("mdat", bytes.Repeat([]byte{0xAB}, 64))
	return bytes.Join([][]byte{ftyp, moov, mdat}, nil)
}

func detectBytes(tb testing.TB, b []byte) (*Result, error) {
	tb.Helper()
	return Detect(bytes.NewReader(b), int64(len(b)))
}

// countingReader counts the bytes and calls that reach the underlying ReaderAt.
type countingReader struct {
	r      io.ReaderAt
	mu     sync.Mutex
	bytes  int64
	calls  int
	ranges [][2]int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.mu.Lock()
	c.bytes += int64(n)
	c.calls++
	c.ranges = append(c.ranges, [2]int64{off, off + int64(n)})
	c.mu.Unlock()
	return n, err
}

// topBoxes lists the top-level boxes of b.
func topBoxes(tb testing.TB, b []byte) []Box {
	tb.Helper()
	var out []Box
	for bx, err := range Boxes(bytes.NewReader(b), 0, int64(len(b))) {
		if err != nil {
			tb.Fatalf("boxes: %v", err)
		}
		out = append(out, bx)
	}
	return out
}

// stripMedia rebuilds a BMFF file's top level with mdat and free payloads
// dropped: the metadata of a fixture in a few KiB, for fuzz seeds.
func stripMedia(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var out []byte
	for _, bx := range topBoxes(tb, b) {
		switch bx.Type {
		case "mdat", "free", "skip":
			out = append(out, box(bx.Type)...)
		default:
			out = append(out, b[bx.Offset:bx.End()]...)
		}
	}
	return out
}

// c2paStore returns the JUMBF manifest store of a BMFF fixture.
func c2paStore(tb testing.TB, b []byte) []byte {
	tb.Helper()
	for _, bx := range topBoxes(tb, b) {
		if bx.Type == "uuid" && bx.UUID == c2paUUID {
			p := b[bx.DataOffset():bx.End()]
			i := bytes.IndexByte(p[4:], 0) + 4
			return p[i+1+8:]
		}
	}
	tb.Fatal("no C2PA box")
	return nil
}

// actionsAssertions returns the CBOR payload of every actions assertion in a store.
func actionsAssertions(tb testing.TB, store []byte) [][]byte {
	tb.Helper()
	var out [][]byte
	top, _, err := nextJBox(store)
	if err != nil {
		tb.Fatal(err)
	}
	sb, err := parseSuperbox(top.payload)
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range sb.children {
		ms, err := parseSuperbox(m.payload)
		if err != nil {
			tb.Fatal(err)
		}
		for _, c := range ms.children {
			as, err := parseSuperbox(c.payload)
			if err != nil || as.kind != "c2as" {
				continue
			}
			for _, a := range as.children {
				ab, err := parseSuperbox(a.payload)
				if err != nil || !actionsLabel.MatchString(ab.label) {
					continue
				}
				for _, cb := range ab.children {
					if cb.typ == "cbor" {
						out = append(out, cb.payload)
					}
				}
			}
		}
	}
	return out
}

// xmpPackets returns the payloads of the top-level XMP uuid boxes.
func xmpPackets(tb testing.TB, b []byte) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, bx := range topBoxes(tb, b) {
		if bx.Type == "uuid" && bx.UUID == xmpUUID {
			out = append(out, b[bx.DataOffset():bx.End()])
		}
	}
	return out
}

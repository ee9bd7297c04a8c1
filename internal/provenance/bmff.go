package provenance

import (
	"encoding/binary"
	"fmt"
	"io"
	"iter"
)

// Box is one ISO BMFF box header.
type Box struct {
	Type       string   // four characters, e.g. "moov"
	UUID       [16]byte // extended type, when Type is "uuid"
	Offset     int64    // file offset of the box's first byte
	HeaderSize int64    // 8, or 16 with a 64-bit size; plus 16 for a uuid box
	Size       int64    // whole box, header included
}

// DataOffset is where the box's payload starts.
func (b Box) DataOffset() int64 { return b.Offset + b.HeaderSize }

// End is the offset just past the box.
func (b Box) End() int64 { return b.Offset + b.Size }

// Known extended types.
var (
	c2paUUID = [16]byte{0xD8, 0xFE, 0xC3, 0xD6, 0x1B, 0x0E, 0x48, 0x3C, 0x92, 0x97, 0x58, 0x28, 0x87, 0x7E, 0xC4, 0x81}
	xmpUUID  = [16]byte{0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC}
)

// Boxes yields the boxes laid end to end in r between start and end (a whole
// file, or the payload of a container box), reading only their headers. A
// box of size 0 runs to end; size 1 carries a 64-bit size. A header that is
// truncated, too small or reaches past end yields an error wrapping
// ErrMalformed and stops the sequence.
func Boxes(r io.ReaderAt, start, end int64) iter.Seq2[Box, error] {
	return func(yield func(Box, error) bool) {
		var hdr [32]byte
		off := start
		for off < end {
			b, err := readBoxHeader(r, off, end, hdr[:])
			if err != nil {
				yield(Box{}, err)
				return
			}
			if !yield(b, nil) {
				return
			}
			off = b.End()
		}
	}
}

func readBoxHeader(r io.ReaderAt, off, end int64, hdr []byte) (Box, error) {
	if end-off < 8 {
		return Box{}, fmt.Errorf("%w: %d stray bytes at offset %d", ErrMalformed, end-off, off)
	}
	if err := readFull(r, hdr[:8], off); err != nil {
		return Box{}, err
	}
	b := Box{Type: string(hdr[4:8]), Offset: off, HeaderSize: 8}
	size := int64(binary.BigEndian.Uint32(hdr[:4]))
	switch size {
	case 0: // to the end of the enclosing container
		size = end - off
	case 1:
		if end-off < 16 {
			return Box{}, fmt.Errorf("%w: box %q at %d: truncated 64-bit size", ErrMalformed, b.Type, off)
		}
		if err := readFull(r, hdr[8:16], off+8); err != nil {
			return Box{}, err
		}
		u := binary.BigEndian.Uint64(hdr[8:16])
		if u > uint64(end-off) {
			return Box{}, fmt.Errorf("%w: box %q at %d: size %d reaches past %d", ErrMalformed, b.Type, off, u, end)
		}
		size = int64(u)
		b.HeaderSize = 16
	}
	if b.Type == "uuid" {
		b.HeaderSize += 16
	}
	if size < b.HeaderSize {
		return Box{}, fmt.Errorf("%w: box %q at %d: size %d smaller than its header", ErrMalformed, b.Type, off, size)
	}
	if size > end-off {
		return Box{}, fmt.Errorf("%w: box %q at %d: size %d reaches past %d", ErrMalformed, b.Type, off, size, end)
	}
	b.Size = size
	if b.Type == "uuid" {
		if err := readFull(r, b.UUID[:], off+b.HeaderSize-16); err != nil {
			return Box{}, err
		}
	}
	return b, nil
}

// firstBoxTypes are the box types an ISO BMFF / QuickTime file may start with.
var firstBoxTypes = map[string]bool{
	"ftyp": true, "styp": true, "moov": true, "mdat": true, "free": true, "skip": true,
	"wide": true, "pnot": true, "uuid": true, "moof": true, "sidx": true, "meta": true,
	"pdin": true, "jP  ": true,
}

// bmffScan holds one Detect run over an ISO BMFF file.
type bmffScan struct {
	r     io.ReaderAt
	size  int64
	res   *Result
	boxes int
}

func (s *bmffScan) count() error {
	s.boxes++
	if s.boxes > maxBoxes {
		return fmt.Errorf("%w: more than %d boxes", ErrMalformed, maxBoxes)
	}
	return nil
}

func detectBMFF(r io.ReaderAt, size int64, res *Result) error {
	s := &bmffScan{r: r, size: size, res: res}
	first := true
	for b, err := range Boxes(r, 0, size) {
		if first {
			if err != nil {
				return fmt.Errorf("%w: not ISO BMFF (%v)", ErrUnsupportedFormat, err)
			}
			if !firstBoxTypes[b.Type] {
				return fmt.Errorf("%w: not ISO BMFF (first box %q)", ErrUnsupportedFormat, b.Type)
			}
			first = false
		}
		if err != nil {
			return err
		}
		if err := s.count(); err != nil {
			return err
		}
		switch {
		case b.Type == "uuid" && b.UUID == c2paUUID:
			err = s.c2paBox(b)
		case b.Type == "uuid" && b.UUID == xmpUUID:
			err = s.xmp(b.DataOffset(), b.End()-b.DataOffset(), "XMP uuid box")
		case b.Type == "moov":
			err = s.moov(b)
		}
		if err != nil {
			return err
		}
	}
	if first {
		return fmt.Errorf("%w: empty input", ErrUnsupportedFormat)
	}
	return nil
}

// moov walks moov's children to moov/udta/XMP_ (QuickTime's XMP location).
func (s *bmffScan) moov(moov Box) error {
	for b, err := range Boxes(s.r, moov.DataOffset(), moov.End()) {
		if err != nil {
			return err
		}
		if err := s.count(); err != nil {
			return err
		}
		if b.Type != "udta" {
			continue
		}
		for u, err := range Boxes(s.r, b.DataOffset(), b.End()) {
			if err != nil {
				return err
			}
			if err := s.count(); err != nil {
				return err
			}
			if u.Type == "XMP_" {
				if err := s.xmp(u.DataOffset(), u.End()-u.DataOffset(), "moov/udta/XMP_"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *bmffScan) xmp(off, n int64, where string) error {
	packet, err := readBlock(s.r, off, n, s.size, MaxXMP, where)
	if err != nil {
		return err
	}
	s.res.HasXMP = true
	for _, f := range parseXMP(packet) {
		f.Detail = f.Detail + " in " + where
		s.res.add(f)
	}
	return nil
}

// c2paBox reads the C2PA uuid box: FullBox version and flags, a
// NUL-terminated purpose ("manifest" or "merkle"), and for "manifest" a
// 64-bit merkle offset followed by the JUMBF manifest store (C2PA spec,
// "Embedding manifests into BMFF-based assets").
func (s *bmffScan) c2paBox(b Box) error {
	off, end := b.DataOffset(), b.End()
	const head = 4 + 16 // version/flags + room for the purpose
	n := min(int64(head), end-off)
	buf := make([]byte, n)
	if err := readFull(s.r, buf, off); err != nil {
		return err
	}
	if n < 5 {
		return fmt.Errorf("%w: C2PA box at %d too short", ErrMalformed, b.Offset)
	}
	nul := -1
	for i := 4; i < len(buf); i++ {
		if buf[i] == 0 {
			nul = i
			break
		}
	}
	if nul < 0 {
		return fmt.Errorf("%w: C2PA box at %d: unterminated purpose", ErrMalformed, b.Offset)
	}
	purpose := string(buf[4:nul])
	if purpose != "manifest" {
		return nil // "merkle" boxes carry fragment hashes, no claims
	}
	storeOff := off + int64(nul) + 1 + 8
	if storeOff > end {
		return fmt.Errorf("%w: C2PA box at %d: truncated merkle offset", ErrMalformed, b.Offset)
	}
	s.res.HasC2PA = true
	store, err := readBlock(s.r, storeOff, end-storeOff, s.size, MaxManifestStore, "C2PA manifest store")
	if err != nil {
		return err
	}
	return readManifestStore(store, s.res)
}

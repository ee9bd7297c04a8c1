package provenance

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// Stills are not Assay's media, but C2PA's reference files are mostly JPEG
// and PNG, and the same manifest and XMP logic applies, so Detect reads
// their C2PA stores (JPEG APP11, PNG caBX) and XMP (JPEG APP1, PNG iTXt).

var pngMagic = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}

// isC2PAStore tells a C2PA manifest store from other JUMBF content.
func isC2PAStore(store []byte) bool {
	top, _, err := nextJBox(store)
	if err != nil || top.typ != "jumb" {
		return false
	}
	d, _, err := nextJBox(top.payload)
	return err == nil && d.typ == "jumd" && len(d.payload) >= 16 &&
		string(d.payload[:4]) == "c2pa" && bytes.Equal(d.payload[4:16], jumbfTypeSuffix)
}

const xmpAPP1Header = "http://ns.adobe.com/xap/1.0/\x00"

// detectJPEG walks the marker segments before the first scan. A C2PA store
// is split over APP11 segments: "JP", a 2-byte box instance (En), a 4-byte
// sequence number (Z), then the JUMBF box; every segment after the first
// repeats the box header (LBox, TBox, XLBox), which is dropped when joining
// (the JPEG XT APP11 box packaging that JUMBF and C2PA use).
func detectJPEG(r io.ReaderAt, size int64, res *Result) error {
	parts := make(map[uint16][]app11Part)
	var total int64
	off := int64(2)
	var hdr [4]byte
	for n := 0; ; n++ {
		if n > maxBoxes {
			return fmt.Errorf("%w: more than %d JPEG segments", ErrMalformed, maxBoxes)
		}
		if off+2 > size {
			return fmt.Errorf("%w: JPEG ends before its image data", ErrMalformed)
		}
		if err := readFull(r, hdr[:2], off); err != nil {
			return err
		}
		if hdr[0] != 0xFF {
			return fmt.Errorf("%w: JPEG: no marker at %d", ErrMalformed, off)
		}
		m := hdr[1]
		switch {
		case m == 0xFF: // fill byte
			off++
			continue
		case m == 0xD9 || m == 0xDA: // end of image, start of scan: metadata is over
			return joinAPP11(parts, res)
		case m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no length
			off += 2
			continue
		}
		if err := readFull(r, hdr[2:4], off+2); err != nil {
			return err
		}
		length := int64(binary.BigEndian.Uint16(hdr[2:4]))
		if length < 2 || off+2+length > size {
			return fmt.Errorf("%w: JPEG segment at %d: bad length %d", ErrMalformed, off, length)
		}
		payloadOff, payloadLen := off+4, length-2
		switch m {
		case 0xEB: // APP11
			p, err := readBlock(r, payloadOff, payloadLen, size, payloadLen, "APP11 segment")
			if err != nil {
				return err
			}
			if len(p) < 16 || p[0] != 'J' || p[1] != 'P' {
				break
			}
			en := binary.BigEndian.Uint16(p[2:4])
			seq := binary.BigEndian.Uint32(p[4:8])
			total += int64(len(p))
			if total > MaxManifestStore {
				return fmt.Errorf("%w: JPEG APP11 data over %d bytes", ErrTooLarge, MaxManifestStore)
			}
			parts[en] = append(parts[en], app11Part{seq, p[8:]})
		case 0xE1: // APP1: Exif or XMP
			if payloadLen < int64(len(xmpAPP1Header)) {
				break
			}
			var h [len(xmpAPP1Header)]byte
			if err := readFull(r, h[:], payloadOff); err != nil {
				return err
			}
			if string(h[:]) != xmpAPP1Header {
				break
			}
			n := int64(len(xmpAPP1Header))
			packet, err := readBlock(r, payloadOff+n, payloadLen-n, size, MaxXMP, "XMP APP1 segment")
			if err != nil {
				return err
			}
			res.HasXMP = true
			for _, f := range parseXMP(packet) {
				f.Detail += " in JPEG APP1"
				res.add(f)
			}
		}
		off += 2 + length
	}
}

// app11Part is one APP11 segment's share of a JUMBF box: its payload after
// the "JP", En and Z fields.
type app11Part struct {
	seq  uint32
	data []byte
}

// joinAPP11 reassembles each box instance in sequence order and reads the
// ones that are C2PA manifest stores.
func joinAPP11(parts map[uint16][]app11Part, res *Result) error {
	ens := make([]uint16, 0, len(parts))
	for en := range parts {
		ens = append(ens, en)
	}
	slices.Sort(ens)
	for _, en := range ens {
		ps := parts[en]
		slices.SortStableFunc(ps, func(a, b app11Part) int { return cmp.Compare(a.seq, b.seq) })
		first := ps[0].data
		if len(first) < 8 {
			continue
		}
		hdr := 8
		if binary.BigEndian.Uint32(first[:4]) == 1 {
			hdr = 16
		}
		n := len(first)
		for _, p := range ps[1:] {
			n += max(len(p.data)-hdr, 0)
		}
		store := make([]byte, 0, n)
		store = append(store, first...)
		for _, p := range ps[1:] {
			if len(p.data) > hdr {
				store = append(store, p.data[hdr:]...)
			}
		}
		if !isC2PAStore(store) {
			continue
		}
		res.HasC2PA = true
		if err := readManifestStore(store, res); err != nil {
			return err
		}
	}
	return nil
}

// detectPNG walks the chunks up to IEND, reading caBX (C2PA) and the
// iTXt chunk with keyword XML:com.adobe.xmp (XMP).
func detectPNG(r io.ReaderAt, size int64, res *Result) error {
	off := int64(len(pngMagic))
	var hdr [8]byte
	for n := 0; ; n++ {
		if n > maxBoxes {
			return fmt.Errorf("%w: more than %d PNG chunks", ErrMalformed, maxBoxes)
		}
		if off == size {
			return fmt.Errorf("%w: PNG without IEND", ErrMalformed)
		}
		if off+12 > size {
			return fmt.Errorf("%w: truncated PNG chunk at %d", ErrMalformed, off)
		}
		if err := readFull(r, hdr[:], off); err != nil {
			return err
		}
		length := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		if length > 1<<31-1 || length > size-off-12 {
			return fmt.Errorf("%w: PNG chunk %q at %d: length %d reaches past the end", ErrMalformed, typ, off, length)
		}
		dataOff := off + 8
		switch typ {
		case "IEND":
			return nil
		case "caBX":
			res.HasC2PA = true
			store, err := readBlock(r, dataOff, length, size, MaxManifestStore, "PNG caBX chunk")
			if err != nil {
				return err
			}
			if err := readManifestStore(store, res); err != nil {
				return err
			}
		case "iTXt":
			if err := pngXMP(r, dataOff, length, size, res); err != nil {
				return err
			}
		}
		off = dataOff + length + 4
	}
}

const xmpITXtKeyword = "XML:com.adobe.xmp"

// pngXMP reads an iTXt chunk if it is the XMP one: keyword, NUL,
// compression flag, compression method, language tag, NUL, translated
// keyword, NUL, text (zlib-compressed when the flag is 1).
func pngXMP(r io.ReaderAt, off, length, size int64, res *Result) error {
	var kw [len(xmpITXtKeyword) + 1]byte
	if length < int64(len(kw)) {
		return nil
	}
	if err := readFull(r, kw[:], off); err != nil {
		return err
	}
	if string(kw[:]) != xmpITXtKeyword+"\x00" {
		return nil
	}
	chunk, err := readBlock(r, off, length, size, MaxXMP+1024, "PNG XMP iTXt chunk")
	if err != nil {
		return err
	}
	rest := chunk[len(kw):]
	if len(rest) < 2 {
		return fmt.Errorf("%w: PNG XMP iTXt chunk too short", ErrMalformed)
	}
	compressed := rest[0] == 1
	rest = rest[2:]
	for range 2 { // language tag, translated keyword
		i := bytes.IndexByte(rest, 0)
		if i < 0 {
			return fmt.Errorf("%w: PNG XMP iTXt chunk: unterminated field", ErrMalformed)
		}
		rest = rest[i+1:]
	}
	packet := rest
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			return fmt.Errorf("%w: PNG XMP iTXt chunk: %v", ErrMalformed, err)
		}
		packet, err = io.ReadAll(io.LimitReader(zr, MaxXMP+1))
		if err != nil {
			return fmt.Errorf("%w: PNG XMP iTXt chunk: %v", ErrMalformed, err)
		}
		if len(packet) > MaxXMP {
			return fmt.Errorf("%w: PNG XMP packet over %d bytes", ErrTooLarge, MaxXMP)
		}
	}
	res.HasXMP = true
	for _, f := range parseXMP(packet) {
		f.Detail += " in PNG iTXt"
		res.add(f)
	}
	return nil
}

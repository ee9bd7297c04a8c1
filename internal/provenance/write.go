package provenance

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
)

// WriteXMP copies the ISO BMFF file src to dst with an XMP packet carrying
// Iptc4xmpExt:DigitalSourceType = digitalSourceType (any form Normalize
// accepts; the canonical http IRI is written).
//
// No media byte moves, so every chunk offset (stco/co64) and fragment
// offset stays valid and ftyp/moov/mdat are copied byte for byte: the packet
// goes into a new top-level uuid box BE7ACFCB-97A9-42E8-9C71-999491E3AFAC
// appended after the last box (a faststart file keeps moov first), or just
// before a trailing mfra box of a fragmented file, which must stay last.
//
// When the file already has top-level XMP uuid boxes, there must not be two
// packets that disagree: the old boxes are turned into "free" boxes of the
// same size (only their 4-byte type changes), and the new packet is the last
// old packet with its DigitalSourceType replaced (or added), so its other
// metadata is kept. If that packet cannot be edited safely (not well-formed
// XML, no rdf:RDF), a fresh packet replaces it. XMP inside moov
// (moov/udta/XMP_, QuickTime) is left alone so that moov stays
// byte-identical; Detect reports findings from both places.
//
// A last box of size 0 ("to end of file") gets its real size written, since
// the appended box would otherwise fall inside it; if that size needs 64
// bits WriteXMP refuses (ErrUnsupportedFormat) rather than shift the data.
//
// Writing into a C2PA-signed file invalidates its hard binding (the file
// changed); WriteXMP is meant for files Assay produced or transcoded.
//
// The source is read twice (a scan, then the copy); nothing is written to
// dst until the scan has validated the whole top-level structure.
func WriteXMP(src io.ReaderAt, size int64, dst io.Writer, digitalSourceType string) error {
	iri, ok := Normalize(digitalSourceType)
	if !ok {
		return fmt.Errorf("provenance: %q is not an IPTC digital source type", digitalSourceType)
	}
	// A patch overwrites len(data) bytes at off with data of the same
	// length, or, when insert is set, inserts data at off.
	type patch struct {
		off    int64
		data   []byte
		insert bool
	}
	var (
		patches []patch
		oldXMP  []byte
		last    Box
		n       int
	)
	for b, err := range Boxes(src, 0, size) {
		if err != nil {
			if n == 0 {
				return fmt.Errorf("%w: not ISO BMFF (%v)", ErrUnsupportedFormat, err)
			}
			return err
		}
		if n == 0 && !firstBoxTypes[b.Type] {
			return fmt.Errorf("%w: not ISO BMFF (first box %q)", ErrUnsupportedFormat, b.Type)
		}
		n++
		if n > maxBoxes {
			return fmt.Errorf("%w: more than %d boxes", ErrMalformed, maxBoxes)
		}
		if b.Type == "uuid" && b.UUID == xmpUUID {
			p, err := readBlock(src, b.DataOffset(), b.End()-b.DataOffset(), size, MaxXMP, "XMP uuid box")
			if err != nil {
				return err
			}
			oldXMP = p
			patches = append(patches, patch{off: b.Offset + 4, data: []byte("free")})
		}
		last = b
	}
	if n == 0 {
		return fmt.Errorf("%w: empty input", ErrUnsupportedFormat)
	}
	// A size-0 last box would swallow the appended box: write its size.
	var szField [4]byte
	if err := readFull(src, szField[:], last.Offset); err != nil {
		return err
	}
	if binary.BigEndian.Uint32(szField[:]) == 0 {
		if last.Size > 1<<32-1 {
			return fmt.Errorf("%w: last box %q runs to end of file and is over 4 GiB", ErrUnsupportedFormat, last.Type)
		}
		var p [4]byte
		binary.BigEndian.PutUint32(p[:], uint32(last.Size))
		patches = append(patches, patch{off: last.Offset, data: p[:]})
	}

	packet := xmpWithSourceType(oldXMP, iri)
	box := make([]byte, 0, 24+len(packet))
	box = binary.BigEndian.AppendUint32(box, uint32(24+len(packet)))
	box = append(box, "uuid"...)
	box = append(box, xmpUUID[:]...)
	box = append(box, packet...)
	// The new box goes last, except before a trailing mfra: readers find
	// mfra through the mfro box in the file's last bytes. Moving mfra is
	// safe, nothing points at its own offset.
	at := size
	if last.Type == "mfra" {
		at = last.Offset
	}
	patches = append(patches, patch{off: at, data: box, insert: true})

	// Copy, applying the patches in file order (an insertion before a
	// same-offset overwrite).
	slices.SortStableFunc(patches, func(x, y patch) int {
		if c := cmp.Compare(x.off, y.off); c != 0 || x.insert == y.insert {
			return c
		}
		if x.insert {
			return -1
		}
		return 1
	})
	var pos int64
	for _, p := range patches {
		if _, err := io.Copy(dst, io.NewSectionReader(src, pos, p.off-pos)); err != nil {
			return fmt.Errorf("provenance: copy: %w", err)
		}
		if _, err := dst.Write(p.data); err != nil {
			return fmt.Errorf("provenance: write: %w", err)
		}
		pos = p.off
		if !p.insert {
			pos += int64(len(p.data))
		}
	}
	if _, err := io.Copy(dst, io.NewSectionReader(src, pos, size-pos)); err != nil {
		return fmt.Errorf("provenance: copy: %w", err)
	}
	return nil
}

// freshXMP is a minimal packet holding only the digital source type.
func freshXMP(iri string) []byte {
	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">` + "\n")
	b.WriteString(` <rdf:RDF xmlns:rdf="` + nsRDF + `">` + "\n")
	b.WriteString("  " + dstDescription(iri) + "\n")
	b.WriteString(" </rdf:RDF>\n</x:xmpmeta>\n")
	b.WriteString(`<?xpacket end="w"?>`)
	return b.Bytes()
}

// dstDescription is an rdf:Description declaring its own namespaces, so it
// is correct wherever it is inserted inside rdf:RDF.
func dstDescription(iri string) string {
	var esc bytes.Buffer
	_ = xml.EscapeText(&esc, []byte(iri))
	return `<rdf:Description xmlns:rdf="` + nsRDF + `" xmlns:Iptc4xmpExt="` + nsIptc4Ext + `" rdf:about="">` +
		`<Iptc4xmpExt:DigitalSourceType>` + esc.String() + `</Iptc4xmpExt:DigitalSourceType></rdf:Description>`
}

// xmpWithSourceType edits an existing packet: every Iptc4xmpExt:DigitalSourceType
// (element or attribute) is removed and one rdf:Description with the new
// value is inserted before </rdf:RDF>. It falls back to a fresh packet when
// old is empty or cannot be edited safely.
func xmpWithSourceType(old []byte, iri string) []byte {
	if len(old) == 0 {
		return freshXMP(iri)
	}
	type cut struct{ from, to int64 }
	var (
		cuts     []cut
		rdfEnd   int64 = -1
		depth    int
		dstStart int64 = -1
		dstDepth int
	)
	d := xml.NewDecoder(bytes.NewReader(old)) // strict: we only edit what parses
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return freshXMP(iri)
		}
		after := d.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxXMPDepth {
				return freshXMP(iri)
			}
			if dstStart < 0 && isIptcExt(t.Name.Space) && t.Name.Local == "DigitalSourceType" {
				dstStart, dstDepth = before, depth
			}
			for _, a := range t.Attr {
				if isIptcExt(a.Name.Space) && a.Name.Local == "DigitalSourceType" {
					c, ok := attrCut(old[before:after])
					if !ok {
						return freshXMP(iri)
					}
					cuts = append(cuts, cut{before + c[0], before + c[1]})
				}
			}
		case xml.EndElement:
			if dstStart >= 0 && depth == dstDepth {
				cuts = append(cuts, cut{dstStart, after})
				dstStart = -1
			}
			if isRDF(t.Name.Space) && t.Name.Local == "RDF" && rdfEnd < 0 {
				rdfEnd = before
			}
			depth--
		}
	}
	if rdfEnd < 0 {
		return freshXMP(iri)
	}
	slices.SortStableFunc(cuts, func(x, y cut) int { return cmp.Compare(x.from, y.from) })
	var b bytes.Buffer
	var pos int64
	insert := func(at int64) {
		if pos <= at && at <= int64(len(old)) {
			b.Write(old[pos:at])
			b.WriteString(dstDescription(iri))
			pos = at
		}
	}
	inserted := false
	for _, c := range cuts {
		if !inserted && rdfEnd <= c.from {
			insert(rdfEnd)
			inserted = true
		}
		if c.from < pos { // inside a range already cut
			pos = max(pos, c.to)
			continue
		}
		b.Write(old[pos:c.from])
		pos = c.to
	}
	if !inserted {
		insert(rdfEnd)
	}
	b.Write(old[pos:])
	return b.Bytes()
}

// attrCut finds the byte range of attribute a (with its leading space) in a
// raw start tag.
func attrCut(tag []byte) ([2]int64, bool) {
	l := dstAttr.FindIndex(tag)
	if l == nil {
		return [2]int64{}, false
	}
	return [2]int64{int64(l[0]), int64(l[1])}, true
}

// dstAttr matches a prefixed DigitalSourceType attribute in a start tag.
var dstAttr = regexp.MustCompile(`\s+[A-Za-z_][A-Za-z0-9_.-]*:DigitalSourceType\s*=\s*("[^"]*"|'[^']*')`)

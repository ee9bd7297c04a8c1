package provenance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp"
	"strings"
)

// A C2PA manifest store is a JUMBF (ISO/IEC 19566-5) superbox tree:
//
//	jumb [jumd c2pa]                      manifest store
//	  jumb [jumd c2ma "urn:…"]            one manifest (c2um: update manifest); the last is active
//	    jumb [jumd c2as "c2pa.assertions"]
//	      jumb [jumd cbor "c2pa.actions.v2"]  cbor box
//	      jumb [jumd json "stds.iptc"]        json box
//	    jumb [jumd c2cl "c2pa.claim"] …
//	    jumb [jumd c2cs "c2pa.signature"] …
//
// Every superbox starts with a jumd description box: a 16-byte type UUID
// (four ASCII characters + 0011-0010-8000-00AA00389B71 for the C2PA and
// JUMBF types), a toggles byte, then a NUL-terminated label when toggles&2.
// Ingredients' manifests are ordinary manifests of the same store, so
// walking every manifest covers them.

// jumbfTypeSuffix is the common tail of the JUMBF/C2PA description type UUIDs.
var jumbfTypeSuffix = []byte{0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// jbox is one JUMBF box: its type and payload.
type jbox struct {
	typ     string
	payload []byte
}

// nextJBox cuts the first box off b.
func nextJBox(b []byte) (jbox, []byte, error) {
	if len(b) < 8 {
		return jbox{}, nil, fmt.Errorf("%w: JUMBF: %d stray bytes", ErrMalformed, len(b))
	}
	size := uint64(binary.BigEndian.Uint32(b[:4]))
	typ := string(b[4:8])
	hdr := uint64(8)
	switch size {
	case 0:
		size = uint64(len(b))
	case 1:
		if len(b) < 16 {
			return jbox{}, nil, fmt.Errorf("%w: JUMBF box %q: truncated 64-bit size", ErrMalformed, typ)
		}
		size = binary.BigEndian.Uint64(b[8:16])
		hdr = 16
	}
	if size < hdr || size > uint64(len(b)) {
		return jbox{}, nil, fmt.Errorf("%w: JUMBF box %q: size %d does not fit in %d bytes", ErrMalformed, typ, size, len(b))
	}
	return jbox{typ: typ, payload: b[hdr:size]}, b[size:], nil
}

// superbox is a parsed jumb box.
type superbox struct {
	kind     string // the four ASCII characters of the description type ("c2pa", "c2ma", "cbor" …), or "" for other types
	label    string
	children []jbox // content boxes after the description box
}

func parseSuperbox(payload []byte) (superbox, error) {
	d, rest, err := nextJBox(payload)
	if err != nil {
		return superbox{}, err
	}
	if d.typ != "jumd" {
		return superbox{}, fmt.Errorf("%w: JUMBF superbox without description box (found %q)", ErrMalformed, d.typ)
	}
	if len(d.payload) < 17 {
		return superbox{}, fmt.Errorf("%w: JUMBF description box too short", ErrMalformed)
	}
	var sb superbox
	if bytes.Equal(d.payload[4:16], jumbfTypeSuffix) {
		sb.kind = string(d.payload[:4])
	}
	if toggles := d.payload[16]; toggles&0x02 != 0 {
		l := d.payload[17:]
		if i := bytes.IndexByte(l, 0); i >= 0 {
			l = l[:i]
		}
		sb.label = string(l)
	}
	for len(rest) > 0 {
		var c jbox
		c, rest, err = nextJBox(rest)
		if err != nil {
			return superbox{}, err
		}
		sb.children = append(sb.children, c)
	}
	return sb, nil
}

// readManifestStore walks every manifest in a C2PA manifest store and adds
// what their assertions declare to res.
func readManifestStore(store []byte, res *Result) error {
	top, _, err := nextJBox(store) // anything after the store is padding
	if err != nil {
		return err
	}
	if top.typ != "jumb" {
		return fmt.Errorf("%w: C2PA manifest store is a %q box, not jumb", ErrMalformed, top.typ)
	}
	sb, err := parseSuperbox(top.payload)
	if err != nil {
		return err
	}
	if sb.kind != "c2pa" {
		return fmt.Errorf("%w: JUMBF box is not a C2PA manifest store (type %q)", ErrMalformed, sb.kind)
	}
	type manifest struct {
		label string
		boxes []jbox
	}
	var manifests []manifest
	for _, c := range sb.children {
		if c.typ != "jumb" {
			continue
		}
		m, err := parseSuperbox(c.payload)
		if err != nil {
			return err
		}
		if m.kind == "c2ma" || m.kind == "c2um" {
			manifests = append(manifests, manifest{m.label, m.children})
		}
	}
	for i, m := range manifests {
		role := "ingredient manifest"
		if i == len(manifests)-1 {
			role = "active manifest"
		}
		where := role + " " + m.label
		for _, c := range m.boxes {
			if c.typ != "jumb" {
				continue
			}
			as, err := parseSuperbox(c.payload)
			if err != nil {
				return err
			}
			if as.kind != "c2as" {
				continue
			}
			for _, a := range as.children {
				if a.typ != "jumb" {
					continue
				}
				if err := readAssertion(a.payload, where, res); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

var (
	// c2pa.actions, c2pa.actions.v2 …, with an optional instance suffix "__N".
	actionsLabel = regexp.MustCompile(`^c2pa\.actions(\.v[0-9]+)?(__[0-9]+)?$`)
	instanceTail = regexp.MustCompile(`__[0-9]+$`)
)

// isMetadataLabel: assertions that may carry IPTC photo metadata with
// Iptc4xmpExt:DigitalSourceType (stds.iptc in C2PA 1.x, c2pa.metadata and
// cawg.metadata since 2.x).
func isMetadataLabel(base string) bool {
	return strings.HasPrefix(base, "stds.iptc") || base == "c2pa.metadata" || base == "cawg.metadata"
}

// readAssertion decodes one assertion superbox. The assertion's structure
// must be sound and its content within maxAssertion; the content is read
// leniently: a CBOR or JSON document that does not decode, or does not have
// the expected shape, is skipped like an absent one (stripping it would have
// the same effect).
func readAssertion(payload []byte, where string, res *Result) error {
	a, err := parseSuperbox(payload)
	if err != nil {
		return err
	}
	base := instanceTail.ReplaceAllString(a.label, "")
	isActions := actionsLabel.MatchString(a.label)
	if !isActions && !isMetadataLabel(base) {
		return nil
	}
	for _, c := range a.children {
		if len(c.payload) > maxAssertion && (c.typ == "cbor" || c.typ == "json") {
			return fmt.Errorf("%w: assertion %q is %d bytes (limit %d)", ErrTooLarge, a.label, len(c.payload), maxAssertion)
		}
		switch {
		case isActions && c.typ == "cbor":
			acts, err := decodeActions(c.payload)
			if err != nil {
				continue
			}
			for _, s := range acts {
				detail := base
				if s.field != "digitalSourceType" {
					detail += " " + s.field
				}
				if s.action != "" {
					detail += " (" + s.action + ")"
				}
				res.add(Finding{DigitalSourceType: s.dst, Via: ViaC2PA, Detail: detail + " in " + where})
			}
		case !isActions && (c.typ == "cbor" || c.typ == "json"):
			for _, dst := range metadataSourceTypes(c.typ, c.payload) {
				res.add(Finding{DigitalSourceType: dst, Via: ViaC2PA, Detail: base + " in " + where})
			}
		}
	}
	return nil
}

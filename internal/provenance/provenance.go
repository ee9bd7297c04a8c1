// Package provenance reads and writes synthetic-media labels inside media
// files (DESIGN §5, label_source "detected").
//
// Detect looks for an IPTC digital source type in three places:
//   - a C2PA manifest store (ISO BMFF uuid box D8FEC3D6-1B0E-483C-9297-5828877EC481,
//     JPEG APP11, PNG caBX): the c2pa.actions / c2pa.actions.v2 assertions of
//     every manifest, ingredients' manifests included, and IPTC metadata assertions;
//   - XMP (ISO BMFF uuid box BE7ACFCB-97A9-42E8-9C71-999491E3AFAC, moov/udta/XMP_,
//     JPEG APP1, PNG iTXt): Iptc4xmpExt:DigitalSourceType;
//   - China's TC260 AIGC XMP label (GB 45438-2025).
//
// Nothing is verified: C2PA signatures, certificates and hash bindings are not
// checked. Unverified is enough to label; absence proves nothing.
//
// Only box headers and the few metadata boxes are read; media data is
// skipped, so a scan costs a handful of small reads whatever the file size.
// Every size read from the file is bounded before anything is allocated.
//
// WriteXMP adds an XMP packet carrying Iptc4xmpExt:DigitalSourceType to an
// MP4 without moving any existing box.
package provenance

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// Errors returned by Detect and WriteXMP; test with errors.Is.
var (
	// ErrUnsupportedFormat: the input is not ISO BMFF (nor, for Detect, JPEG or PNG).
	ErrUnsupportedFormat = errors.New("provenance: unsupported format")
	// ErrMalformed: a box, segment or metadata structure is truncated or inconsistent.
	ErrMalformed = errors.New("provenance: malformed input")
	// ErrTooLarge: a metadata block exceeds the size Assay is willing to read.
	ErrTooLarge = errors.New("provenance: metadata too large")
)

// Size limits. A C2PA store or XMP packet past them is refused with ErrTooLarge
// rather than read.
const (
	MaxManifestStore = 32 << 20 // whole C2PA manifest store
	MaxXMP           = 4 << 20  // one XMP packet
	maxAssertion     = 4 << 20  // one actions or metadata assertion we decode
	maxBoxes         = 1 << 20  // boxes (or segments, chunks) visited in one scan
)

// Where a finding came from.
const (
	ViaC2PA  = "c2pa"
	ViaXMP   = "xmp"
	ViaTC260 = "tc260"
)

// Finding is one digital source type declared inside the file.
type Finding struct {
	DigitalSourceType string // canonical IRI (see Normalize)
	Via               string // "c2pa" | "xmp" | "tc260"
	Detail            string // where exactly, e.g. "c2pa.actions (c2pa.edited) in ingredient manifest urn:uuid:…"
}

// Result is what Detect found.
type Result struct {
	Findings []Finding
	// Synthetic is true when any finding is synthetic (see IsSynthetic).
	Synthetic bool
	// DigitalSourceType is the strongest finding: trainedAlgorithmicMedia >
	// compositeWithTrainedAlgorithmicMedia > the first other term found; "" when none.
	DigitalSourceType string
	// HasC2PA: a C2PA manifest store is embedded (whatever it says).
	HasC2PA bool
	// HasXMP: an XMP packet is embedded.
	HasXMP bool

	seen map[Finding]bool // Findings as a set
}

// maxFindings caps Result.Findings (a crafted manifest can declare
// thousands); past it only a finding that becomes the strongest is kept.
// Synthetic and DigitalSourceType account for every finding.
const maxFindings = 64

func (r *Result) add(f Finding) {
	keep := len(r.Findings) < maxFindings || strength(f.DigitalSourceType) > strength(r.DigitalSourceType)
	if keep && !r.seen[f] {
		if r.seen == nil {
			r.seen = make(map[Finding]bool)
		}
		r.seen[f] = true
		r.Findings = append(r.Findings, f)
	}
	if IsSynthetic(f.DigitalSourceType) {
		r.Synthetic = true
	}
	if strength(f.DigitalSourceType) > strength(r.DigitalSourceType) {
		r.DigitalSourceType = f.DigitalSourceType
	}
}

// Detect scans an ISO BMFF file (MP4, MOV, M4A, 3GP, fragmented MP4 …) for
// provenance labels. JPEG and PNG stills are recognised too (C2PA and XMP);
// any other input yields ErrUnsupportedFormat.
//
// On error the returned Result, when not nil, holds what was found before the
// damage: a label found there is still a label, so a caller that wants to
// keep the strongest claim can use it.
func Detect(r io.ReaderAt, size int64) (*Result, error) {
	if size < 0 {
		return nil, fmt.Errorf("%w: negative size", ErrMalformed)
	}
	var buf [8]byte
	magic := buf[:min(size, 8)]
	if err := readFull(r, magic, 0); err != nil {
		return nil, err
	}
	n := len(magic)
	var err error
	res := &Result{}
	switch {
	case n >= 8 && bytes.Equal(magic, pngMagic):
		err = detectPNG(r, size, res)
	case n >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF:
		err = detectJPEG(r, size, res)
	default:
		err = detectBMFF(r, size, res)
	}
	if err != nil {
		return res, err
	}
	return res, nil
}

// DetectFile opens path and runs Detect on it.
func DetectFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return Detect(f, st.Size())
}

// readFull reads exactly len(p) bytes at off.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: unexpected end of data at offset %d", ErrMalformed, off+int64(n))
	}
	return fmt.Errorf("provenance: read at %d: %w", off, err)
}

// readBlock reads n bytes at off after checking n against limit and the file size.
func readBlock(r io.ReaderAt, off, n, size, limit int64, what string) ([]byte, error) {
	if n < 0 || off < 0 || off > size || n > size-off {
		return nil, fmt.Errorf("%w: %s extends past the end of the file", ErrMalformed, what)
	}
	if n > limit {
		return nil, fmt.Errorf("%w: %s is %d bytes (limit %d)", ErrTooLarge, what, n, limit)
	}
	p := make([]byte, n)
	if err := readFull(r, p, off); err != nil {
		return nil, err
	}
	return p, nil
}

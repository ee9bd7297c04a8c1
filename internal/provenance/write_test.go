package provenance

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func writeXMP(t *testing.T, src []byte, dst string) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := WriteXMP(bytes.NewReader(src), int64(len(src)), &out, dst); err != nil {
		t.Fatalf("WriteXMP: %v", err)
	}
	return out.Bytes()
}

// xmpFindings keeps the findings that came from XMP.
func xmpFindings(res *Result) []Finding {
	var out []Finding
	for _, f := range res.Findings {
		if f.Via == ViaXMP {
			out = append(out, f)
		}
	}
	return out
}

func TestWriteXMPRoundTrip(t *testing.T) {
	cases := []struct {
		file   string
		hadXMP bool
	}{
		{"no-c2pa/test-video.mp4", false},                     // moov after mdat, no uuid boxes
		{"no-c2pa/video1_no_manifest.mp4", true},              // faststart, Premiere XMP to merge into
		{"c2pa/cards_trusted.mp4", false},                     // faststart with a C2PA box
		{"c2pa/PTS_TRUSTED_sony_official_cawg_wdr.mp4", true}, // camera claim + XMP
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			src := readFixture(t, tc.file)
			out := writeXMP(t, src, "trainedAlgorithmicMedia")

			res, err := detectBytes(t, out)
			if err != nil {
				t.Fatalf("Detect on output: %v", err)
			}
			if !res.Synthetic || res.DigitalSourceType != TrainedAlgorithmicMedia || !res.HasXMP {
				t.Fatalf("output: %+v", res)
			}
			if xf := xmpFindings(res); len(xf) != 1 || xf[0].DigitalSourceType != TrainedAlgorithmicMedia ||
				!strings.Contains(xf[0].Detail, "(element) in XMP uuid box") {
				t.Errorf("XMP findings %+v", xf)
			}

			// The original boxes are where they were, byte for byte; only the
			// type of an old XMP box changed to "free".
			before, after := topBoxes(t, src), topBoxes(t, out)
			if len(after) != len(before)+1 {
				t.Fatalf("%d boxes after, %d before", len(after), len(before))
			}
			for i, b := range before {
				a := after[i]
				if a.Offset != b.Offset || a.Size != b.Size {
					t.Errorf("box %d %q moved: %+v -> %+v", i, b.Type, b, a)
				}
				orig, got := src[b.Offset:b.End()], out[a.Offset:a.End()]
				if b.Type == "uuid" && b.UUID == xmpUUID {
					if a.Type != "free" || !bytes.Equal(orig[8:], got[8:]) {
						t.Errorf("old XMP box not turned into an identical free box")
					}
					continue
				}
				if !bytes.Equal(orig, got) {
					t.Errorf("box %d %q changed", i, b.Type)
				}
			}
			last := after[len(after)-1]
			if last.Type != "uuid" || last.UUID != xmpUUID || last.End() != int64(len(out)) {
				t.Errorf("last box %+v is not the new XMP box", last)
			}
			if !tc.hadXMP && !bytes.Equal(out[:len(src)], src) {
				t.Errorf("output does not start with the unchanged input")
			}
			// The merged packet keeps the old packet's other metadata.
			if tc.hadXMP {
				old := xmpPackets(t, src)[0]
				newp := out[last.DataOffset():]
				for _, keep := range []string{"xmp:CreatorTool", "xmpMM:InstanceID"} {
					if bytes.Contains(old, []byte(keep)) && !bytes.Contains(newp, []byte(keep)) {
						t.Errorf("merged packet lost %s", keep)
					}
				}
			}
			ffprobeCheck(t, src, out)
		})
	}
}

// ffprobeCheck requires ffprobe to read the output exactly as cleanly as the input.
func ffprobeCheck(t *testing.T, src, out []byte) {
	t.Helper()
	bin, err := exec.LookPath("ffprobe")
	if err != nil {
		if os.Getenv("ASSAY_REQUIRE_FFMPEG") == "1" {
			t.Fatalf("ffprobe not on PATH and ASSAY_REQUIRE_FFMPEG=1")
		}
		t.Log("ffprobe not on PATH: skipping the playability check (set ASSAY_REQUIRE_FFMPEG=1 to make this fatal)")
		return
	}
	dir := t.TempDir()
	probe := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "-v", "error", "-show_entries", "stream=codec_name,width,height,nb_frames", "-of", "compact", p)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil {
			t.Fatalf("ffprobe %s: %v: %s", name, err, stderr.String())
		}
		return string(stdout) + stderr.String()
	}
	if a, b := probe("in.mp4", src), probe("out.mp4", out); a != b {
		t.Errorf("ffprobe differs:\ninput:  %s\noutput: %s", a, b)
	}
}

// An old XMP label is replaced, not left to conflict; writing twice keeps
// one live XMP box.
func TestWriteXMPReplaces(t *testing.T) {
	src := readFixture(t, "no-c2pa/test-video.mp4")
	for _, form := range []string{
		`<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture</Iptc4xmpExt:DigitalSourceType>`,
		`<Iptc4xmpExt:DigitalSourceType rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"/>`,
	} {
		withOld := append(bytes.Clone(src), uuidBox(xmpUUID, []byte(packet("", form)))...)
		out := writeXMP(t, withOld, CompositeWithTrainedAlgorithmicMedia)
		out = writeXMP(t, out, "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
		res, err := detectBytes(t, out)
		if err != nil {
			t.Fatal(err)
		}
		if xf := xmpFindings(res); len(xf) != 1 || xf[0].DigitalSourceType != TrainedAlgorithmicMedia {
			t.Fatalf("findings %+v", res.Findings)
		}
		if n := len(xmpPackets(t, out)); n != 1 {
			t.Errorf("%d live XMP boxes", n)
		}
		if !bytes.Contains(xmpPackets(t, out)[0], []byte(`xmp:CreatorTool="test"`)) {
			t.Errorf("other metadata lost")
		}
	}
	// Attribute form.
	withOld := append(bytes.Clone(src), uuidBox(xmpUUID, []byte(packet(
		`Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"`, "")))...)
	res, err := detectBytes(t, writeXMP(t, withOld, TrainedAlgorithmicMedia))
	if err != nil {
		t.Fatal(err)
	}
	if xf := xmpFindings(res); len(xf) != 1 || xf[0].DigitalSourceType != TrainedAlgorithmicMedia {
		t.Fatalf("findings %+v", res.Findings)
	}
	// An old packet that does not parse is replaced by a fresh one.
	withOld = append(bytes.Clone(src), uuidBox(xmpUUID, []byte(`<x:xmpmeta><broken`))...)
	res, err = detectBytes(t, writeXMP(t, withOld, TrainedAlgorithmicMedia))
	if err != nil || !res.Synthetic || len(res.Findings) != 1 {
		t.Fatalf("res %+v err %v", res, err)
	}
}

// A last box of size 0 runs to the end of the file: its real size is
// written so the appended box stays outside it.
func TestWriteXMPSizeZeroLastBox(t *testing.T) {
	file := minimalMP4()
	mdat := topBoxes(t, file)[2]
	binary.BigEndian.PutUint32(file[mdat.Offset:], 0)
	out := writeXMP(t, file, TrainedAlgorithmicMedia)
	boxes := topBoxes(t, out)
	if len(boxes) != 4 || boxes[2].Type != "mdat" || boxes[2].Size != mdat.Size {
		t.Fatalf("boxes %+v", boxes)
	}
	if !bytes.Equal(out[mdat.DataOffset():mdat.End()], file[mdat.DataOffset():mdat.End()]) {
		t.Errorf("mdat payload changed")
	}
	res, err := detectBytes(t, out)
	if err != nil || !res.Synthetic {
		t.Fatalf("res %+v err %v", res, err)
	}
}

func TestWriteXMPRefuses(t *testing.T) {
	src := readFixture(t, "no-c2pa/test-video.mp4")
	var out bytes.Buffer
	if err := WriteXMP(bytes.NewReader(src), int64(len(src)), &out, "madeUpType"); err == nil {
		t.Error("unknown digital source type accepted")
	}
	jpeg := readFixture(t, "c2pa-images/ocsp.jpg")
	if err := WriteXMP(bytes.NewReader(jpeg), int64(len(jpeg)), &out, TrainedAlgorithmicMedia); !errors.Is(err, ErrUnsupportedFormat) {
		t.Errorf("JPEG: err = %v, want ErrUnsupportedFormat", err)
	}
	trunc := src[:len(src)-10]
	if err := WriteXMP(bytes.NewReader(trunc), int64(len(trunc)), &out, TrainedAlgorithmicMedia); !errors.Is(err, ErrMalformed) {
		t.Errorf("truncated: err = %v, want ErrMalformed", err)
	}
	if out.Len() != 0 {
		t.Errorf("%d bytes written on refusal", out.Len())
	}
}

// Another tool agrees: exiftool reads the label WriteXMP wrote, and Detect
// reads the label exiftool writes (skipped when exiftool is not installed;
// it is not a project dependency).
func TestWriteXMPExiftool(t *testing.T) {
	bin, err := exec.LookPath("exiftool")
	if err != nil {
		t.Skip("exiftool not on PATH")
	}
	for _, name := range []string{"no-c2pa/test-video.mp4", "no-c2pa/video1_no_manifest.mp4"} {
		out := writeXMP(t, readFixture(t, name), TrainedAlgorithmicMedia)
		p := filepath.Join(t.TempDir(), "out.mp4")
		if err := os.WriteFile(p, out, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := exec.Command(bin, "-s3", "-XMP-iptcExt:DigitalSourceType", p).Output()
		if err != nil {
			t.Fatalf("exiftool: %v", err)
		}
		if strings.TrimSpace(string(got)) != TrainedAlgorithmicMedia {
			t.Errorf("%s: exiftool reads %q", name, got)
		}
	}
	src := filepath.Join(t.TempDir(), "src.mp4")
	if err := os.WriteFile(src, readFixture(t, "no-c2pa/test-video.mp4"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-q", "-overwrite_original",
		"-XMP-iptcExt:DigitalSourceType="+CompositeWithTrainedAlgorithmicMedia, src).CombinedOutput(); err != nil {
		t.Fatalf("exiftool write: %v: %s", err, out)
	}
	res, err := DetectFile(src)
	if err != nil || res.DigitalSourceType != CompositeWithTrainedAlgorithmicMedia || !res.Synthetic {
		t.Fatalf("Detect on exiftool's file: %+v, %v", res, err)
	}
	t.Logf("exiftool's packet: %+v", res.Findings)
}

// A fragmented file's trailing mfra stays last (players find it from the
// file's end through mfro); the new box goes just before it.
func TestWriteXMPBeforeTrailingMfra(t *testing.T) {
	mfra := box("mfra", box("tfra", make([]byte, 24)), box("mfro", []byte{0, 0, 0, 0}, u32(8+32+16)))
	frag := cat(box("moof", box("mfhd", make([]byte, 8))), box("mdat", bytes.Repeat([]byte{7}, 40)))
	src := cat(minimalMP4(box("mvex", box("trex", make([]byte, 24)))), frag, mfra)
	out := writeXMP(t, src, TrainedAlgorithmicMedia)
	if !bytes.HasSuffix(out, mfra) || !bytes.HasPrefix(out, src[:len(src)-len(mfra)]) {
		t.Fatal("mfra not kept last, or earlier boxes changed")
	}
	boxes := topBoxes(t, out)
	if b := boxes[len(boxes)-2]; b.Type != "uuid" || b.UUID != xmpUUID {
		t.Fatalf("box before mfra is %+v", b)
	}
	res, err := detectBytes(t, out)
	if err != nil || !res.Synthetic {
		t.Fatalf("res %+v err %v", res, err)
	}
}

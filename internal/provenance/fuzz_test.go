package provenance

import (
	"bytes"
	"slices"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// bmffFixtures are the ISO BMFF files among the media fixtures.
var bmffFixtures = []string{
	"c2pa/prmiere-firefly.mp4", "c2pa/PTS_TRUSTED_sony_official_cawg_wdr.mp4", "c2pa/cards_trusted.mp4",
	"c2pa/video1.mp4", "c2pa/dashinit.mp4", "no-c2pa/video1_no_manifest.mp4", "no-c2pa/test-video.mp4",
}

// checkResult holds the invariants of any Result.
func checkResult(t *testing.T, res *Result) {
	if res == nil {
		return
	}
	synthetic := false
	for _, f := range res.Findings {
		if iri, ok := Normalize(f.DigitalSourceType); !ok || iri != f.DigitalSourceType {
			t.Fatalf("finding with a non-canonical type: %+v", f)
		}
		if f.Via != ViaC2PA && f.Via != ViaXMP && f.Via != ViaTC260 {
			t.Fatalf("finding via %q", f.Via)
		}
		synthetic = synthetic || IsSynthetic(f.DigitalSourceType)
	}
	if synthetic != res.Synthetic {
		t.Fatalf("Synthetic = %v, findings say %v", res.Synthetic, synthetic)
	}
	if res.DigitalSourceType != "" && !slices.ContainsFunc(res.Findings, func(f Finding) bool { return f.DigitalSourceType == res.DigitalSourceType }) {
		t.Fatalf("DigitalSourceType %q is not among the findings", res.DigitalSourceType)
	}
}

// maxSeed keeps seeds small so that executions and minimisation stay fast
// (see TestMain); the large fixtures are covered by the table tests.
const maxSeed = 8 << 10

func FuzzDetect(f *testing.F) {
	for _, name := range bmffFixtures {
		if s := stripMedia(f, readFixture(f, name)); len(s) <= maxSeed {
			f.Add(s)
		}
	}
	f.Add(minimalMP4(box("udta", box("XMP_", []byte(packet("", `<TC260:AIGC>{"Label":"1"}</TC260:AIGC>`))))))
	f.Add(cat(ftypBox, xmpLabel(), u32(1), []byte("mdat"), u64(24), make([]byte, 8)))
	store := storeBytes(manifestBytes("urn:x", cborAssertion(f, "c2pa.actions", M{
		"actions": []any{M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia}},
	})))
	f.Add(mp4WithStore(store))
	// A small JPEG (C2PA in two APP11 segments) and PNG (caBX).
	half := len(store) / 2
	app11 := func(seq uint32, data []byte) []byte {
		p := cat([]byte("JP"), []byte{0x02, 0x11}, u32(seq), data)
		return cat([]byte{0xFF, 0xEB}, []byte{byte((len(p) + 2) >> 8), byte(len(p) + 2)}, p)
	}
	f.Add(cat([]byte{0xFF, 0xD8}, app11(1, store[:half]), app11(2, cat(store[:8], store[half:])), []byte{0xFF, 0xDA, 0, 2, 0xFF, 0xD9}))
	chunk := func(typ string, data []byte) []byte { return cat(u32(uint32(len(data))), []byte(typ), data, u32(0)) }
	itxt := cat([]byte(xmpITXtKeyword+"\x00\x00\x00\x00\x00"), []byte(packet("", "")))
	f.Add(cat(pngMagic, chunk("caBX", store), chunk("iTXt", itxt), chunk("IEND", nil)))

	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Detect(bytes.NewReader(data), int64(len(data)))
		if err == nil && res == nil {
			t.Fatal("nil result without error")
		}
		checkResult(t, res)
		if err != nil || bytes.HasPrefix(data, pngMagic) || bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}) {
			return
		}
		// Any ISO BMFF file Detect accepts can be labelled, and the label is then found.
		var out bytes.Buffer
		if err := WriteXMP(bytes.NewReader(data), int64(len(data)), &out, TrainedAlgorithmicMedia); err != nil {
			t.Fatalf("WriteXMP on a file Detect accepts: %v", err)
		}
		res, err = Detect(bytes.NewReader(out.Bytes()), int64(out.Len()))
		if err != nil || !res.Synthetic || res.DigitalSourceType != TrainedAlgorithmicMedia {
			t.Fatalf("after WriteXMP: %+v, %v", res, err)
		}
	})
}

func FuzzXMP(f *testing.F) {
	for _, name := range bmffFixtures {
		for _, p := range xmpPackets(f, readFixture(f, name)) {
			if len(p) <= maxSeed {
				f.Add(p)
			}
		}
	}
	for _, tc := range xmpCases {
		f.Add([]byte(tc.packet))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fd := range parseXMP(data) {
			if iri, ok := Normalize(fd.DigitalSourceType); !ok || iri != fd.DigitalSourceType {
				t.Fatalf("non-canonical finding %+v", fd)
			}
		}
		// The writer's edit of any packet yields exactly the new XMP label.
		edited := xmpWithSourceType(data, TrainedAlgorithmicMedia)
		var xmp []Finding
		for _, fd := range parseXMP(edited) {
			if fd.Via == ViaXMP {
				xmp = append(xmp, fd)
			}
		}
		if len(xmp) != 1 || xmp[0].DigitalSourceType != TrainedAlgorithmicMedia {
			t.Fatalf("edited packet declares %+v\n%s", xmp, edited)
		}
	})
}

func FuzzCBORActions(f *testing.F) {
	for _, name := range bmffFixtures {
		b := readFixture(f, name)
		for _, bx := range topBoxes(f, b) {
			if bx.Type == "uuid" && bx.UUID == c2paUUID {
				for _, a := range actionsAssertions(f, c2paStore(f, b)) {
					f.Add(a)
				}
			}
		}
	}
	for _, v := range []any{
		M{"actions": []any{M{"action": "c2pa.created", "digitalSourceType": TrainedAlgorithmicMedia}}},
		M{"actions": []any{M{"action": "c2pa.edited", "parameters": M{"digitalSourceType": "compositedWithTrainedAlgorithmicMedia"}}}},
		M{"actions": []any{M{"action": "c2pa.placed", "related": []any{M{"action": "c2pa.created", "digitalSourceType": AlgorithmicMedia}}}},
			"templates": []any{M{"action": "*", "digitalSourceType": DigitalCapture}}},
	} {
		b, err := cbor.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, _ := decodeActions(data)
		for _, s := range got {
			if iri, ok := Normalize(s.dst); !ok || iri != s.dst {
				t.Fatalf("non-canonical %+v", s)
			}
		}
	})
}

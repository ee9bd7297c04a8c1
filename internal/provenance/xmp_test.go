package provenance

import (
	"bytes"
	"strings"
	"testing"
)

// packet wraps rdf:Description content in an XMP packet.
func packet(descAttrs, descBody string) string {
	return `<?xpacket begin="` + "\uFEFF" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.1">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmp:CreatorTool="test" ` + descAttrs + `>` + descBody + `
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
` + strings.Repeat(" ", 100) + `
<?xpacket end="w"?>`
}

var xmpCases = []struct {
	name   string
	packet string
	want   []Finding // Detail compared by substring
}{
	{
		name:   "element",
		packet: packet("", `<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia</Iptc4xmpExt:DigitalSourceType>`),
		want:   []Finding{{TrainedAlgorithmicMedia, ViaXMP, "(element)"}},
	},
	{
		name: "element with another prefix for the namespace",
		packet: packet("", `<ext:DigitalSourceType xmlns:ext="http://iptc.org/std/Iptc4xmpExt/2008-02-29/">
		  https://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia
		</ext:DigitalSourceType>`),
		want: []Finding{{CompositeWithTrainedAlgorithmicMedia, ViaXMP, "(element)"}},
	},
	{
		name:   "attribute",
		packet: packet(`Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"`, ""),
		want:   []Finding{{TrainedAlgorithmicMedia, ViaXMP, "(attribute)"}},
	},
	{
		name:   "rdf:resource",
		packet: packet("", `<Iptc4xmpExt:DigitalSourceType rdf:resource="http://cv.iptc.org/newscodes/digitalsourcetype/compositedWithTrainedAlgorithmicMedia"/>`),
		want:   []Finding{{CompositeWithTrainedAlgorithmicMedia, ViaXMP, "(rdf:resource)"}},
	},
	{
		name:   "bare term, odd case",
		packet: packet("", `<Iptc4xmpExt:DigitalSourceType>TRAINEDalgorithmicmedia</Iptc4xmpExt:DigitalSourceType>`),
		want:   []Finding{{TrainedAlgorithmicMedia, ViaXMP, "(element)"}},
	},
	{
		name:   "algorithmicMedia is found but not synthetic",
		packet: packet("", `<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia</Iptc4xmpExt:DigitalSourceType>`),
		want:   []Finding{{AlgorithmicMedia, ViaXMP, "(element)"}},
	},
	{
		name:   "digital capture",
		packet: packet(`Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"`, ""),
		want:   []Finding{{DigitalCapture, ViaXMP, "(attribute)"}},
	},
	{
		name:   "same local name in another namespace is ignored",
		packet: packet(`xmlns:foo="http://example.com/ns/"`, `<foo:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia</foo:DigitalSourceType>`),
	},
	{
		name:   "term outside the vocabulary is ignored",
		packet: packet("", `<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/madeUp</Iptc4xmpExt:DigitalSourceType>`),
	},
	{
		name:   "TC260 AIGC element, Label 1",
		packet: packet("", `<TC260:AIGC>{&quot;Label&quot;:&quot;1&quot;,&quot;ContentProducer&quot;:&quot;001191101080000000000000000&quot;,&quot;ProduceID&quot;:&quot;abc&quot;,&quot;ReservedCode1&quot;:&quot;&quot;,&quot;ContentPropagator&quot;:&quot;&quot;,&quot;PropagateID&quot;:&quot;&quot;,&quot;ReservedCode2&quot;:&quot;&quot;}</TC260:AIGC>`),
		want:   []Finding{{TrainedAlgorithmicMedia, ViaTC260, "AIGC element"}},
	},
	{
		name:   "TC260 AIGC attribute, raw JSON quotes in single-quoted attribute",
		packet: packet(`TC260:AIGC='{"Label":"1","ContentProducer":"x"}'`, ""),
		want:   []Finding{{TrainedAlgorithmicMedia, ViaTC260, "AIGC attribute"}},
	},
	{
		name:   "TC260 numeric label",
		packet: packet("", `<TC260:AIGC>{"Label":1}</TC260:AIGC>`),
		want:   []Finding{{TrainedAlgorithmicMedia, ViaTC260, "AIGC element"}},
	},
	{
		name:   "TC260 Label 2 (possibly AI) and 3 (suspected) are not a declaration",
		packet: packet("", `<TC260:AIGC>{"Label":"2"}</TC260:AIGC><TC260:AIGC>{"Label":"3"}</TC260:AIGC>`),
	},
	{
		name:   "TC260 as a structure",
		packet: packet("", `<TC260:AIGC rdf:parseType="Resource"><TC260:Label>1</TC260:Label></TC260:AIGC>`),
		want:   []Finding{{TrainedAlgorithmicMedia, ViaTC260, "Label element"}},
	},
	{
		name:   "broken XML still scanned",
		packet: `<x:xmpmeta><rdf:RDF><rdf:Description Iptc4xmpExt:DigitalSourceType="http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia" <<<`,
		want:   []Finding{{TrainedAlgorithmicMedia, ViaXMP, "lenient scan"}},
	},
	{
		name:   "broken XML, TC260",
		packet: `<TC260:AIGC>{&quot;Label&quot;:&quot;1&quot;}</TC260:AIGC></unbalanced>`,
		want:   []Finding{{TrainedAlgorithmicMedia, ViaTC260, ""}},
	},
	{name: "empty", packet: ""},
	{name: "not XML", packet: "\x00\x01\x02 hello"},
}

func TestParseXMP(t *testing.T) {
	for _, tc := range xmpCases {
		t.Run(tc.name, func(t *testing.T) {
			got := parseXMP([]byte(tc.packet))
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.DigitalSourceType != w.DigitalSourceType || g.Via != w.Via || !strings.Contains(g.Detail, w.Detail) {
					t.Errorf("finding %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// The same forms inside real files: a real MP4 with an XMP uuid box
// appended, and a hand-assembled MP4 with moov/udta/XMP_.
func TestDetectXMPInMP4(t *testing.T) {
	base := readFixture(t, "no-c2pa/test-video.mp4")
	for _, tc := range xmpCases {
		if len(tc.want) == 0 {
			continue
		}
		w := tc.want[0]
		t.Run("uuid/"+tc.name, func(t *testing.T) {
			file := append(bytes.Clone(base), uuidBox(xmpUUID, []byte(tc.packet))...)
			res, err := detectBytes(t, file)
			if err != nil {
				t.Fatal(err)
			}
			checkXMPResult(t, res, w, "in XMP uuid box")
		})
		t.Run("udta/"+tc.name, func(t *testing.T) {
			file := minimalMP4(box("udta", box("XMP_", []byte(tc.packet))))
			res, err := detectBytes(t, file)
			if err != nil {
				t.Fatal(err)
			}
			checkXMPResult(t, res, w, "in moov/udta/XMP_")
		})
	}
}

func checkXMPResult(t *testing.T, res *Result, w Finding, where string) {
	t.Helper()
	if !res.HasXMP || res.HasC2PA {
		t.Errorf("HasXMP=%v HasC2PA=%v", res.HasXMP, res.HasC2PA)
	}
	if res.DigitalSourceType != w.DigitalSourceType || res.Synthetic != IsSynthetic(w.DigitalSourceType) {
		t.Errorf("got %q synthetic=%v, want %q", res.DigitalSourceType, res.Synthetic, w.DigitalSourceType)
	}
	if len(res.Findings) == 0 || res.Findings[0].Via != w.Via || !strings.HasSuffix(res.Findings[0].Detail, where) {
		t.Errorf("findings %+v, want via %s %s", res.Findings, w.Via, where)
	}
}

// A synthetic XMP label next to a camera C2PA claim: any synthetic finding
// makes the file synthetic, and the strongest type wins.
func TestSyntheticWinsOverCapture(t *testing.T) {
	file := append(readFixture(t, "c2pa/PTS_TRUSTED_sony_official_cawg_wdr.mp4"),
		uuidBox(xmpUUID, []byte(packet("", `<TC260:AIGC>{"Label":"1"}</TC260:AIGC>`)))...)
	res, err := detectBytes(t, file)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Synthetic || res.DigitalSourceType != TrainedAlgorithmicMedia || len(res.Findings) != 2 {
		t.Fatalf("got %+v", res)
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{TrainedAlgorithmicMedia, TrainedAlgorithmicMedia, true},
		{"https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", TrainedAlgorithmicMedia, true},
		{"HTTP://CV.IPTC.ORG/newscodes/digitalsourcetype/trainedalgorithmicmedia/", TrainedAlgorithmicMedia, true},
		{"trainedAlgorithmicMedia", TrainedAlgorithmicMedia, true},
		{"  compositeWithTrainedAlgorithmicMedia ", CompositeWithTrainedAlgorithmicMedia, true},
		{"compositedWithTrainedAlgorithmicMedia", CompositeWithTrainedAlgorithmicMedia, true},
		{"http://cv.iptc.org/newscodes/digitalsourcetype/compositedWithTrainedAlgorithmicMedia", CompositeWithTrainedAlgorithmicMedia, true},
		{"algorithmicmedia", AlgorithmicMedia, true},
		{"digitalCapture", DigitalCapture, true},
		{"compositeSynthetic", CompositeSynthetic, true},
		{"http://example.com/trainedAlgorithmicMedia", "", false},
		{"ftp://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", "", false},
		{"http://cv.iptc.org/newscodes/digitalsourcetype/", "", false},
		{"madeUp", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := Normalize(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("Normalize(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestIsSynthetic(t *testing.T) {
	for in, want := range map[string]bool{
		TrainedAlgorithmicMedia:                                                   true,
		CompositeWithTrainedAlgorithmicMedia:                                      true,
		"compositedWithTrainedAlgorithmicMedia":                                   true,
		"https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia": true,
		AlgorithmicMedia:                                                          false,
		CompositeSynthetic:                                                        false,
		DigitalCapture:                                                            false,
		"":                                                                        false,
		"nonsense":                                                                false,
	} {
		if got := IsSynthetic(in); got != want {
			t.Errorf("IsSynthetic(%q) = %v, want %v", in, got, want)
		}
	}
}

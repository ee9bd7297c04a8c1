package ap

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRefusals(t *testing.T) {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	deepObj := `{"type":"Create","x":` + strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000) + "}"
	big := `{"type":"Create","id":"https://a.example/1","actor":"https://a.example/u","content":"` +
		strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name, body, want string
		unsupported      bool
	}{
		{"not JSON", `{"type": "Create",`, "not valid JSON", false},
		{"XML", `<?xml version="1.0"?><XRD/>`, "not valid JSON", false},
		{"top-level array", `[{"type":"Create"}]`, "must be a JSON object, not an array", false},
		{"top-level string", `"Create"`, "must be a JSON object, not a string", false},
		{"null", `null`, "must be a JSON object, not null", false},
		{"10,000-deep arrays", deep, "nests deeper than 64", false},
		{"10,000-deep objects", deepObj, "nests deeper than 64", false},
		{"2 MiB body", big, "the limit is 1048576", false},
		{"no type", `{"id":"https://a.example/1","actor":"https://a.example/u"}`, "has no type", false},
		{"Create without actor", `{"@context":"https://www.w3.org/ns/activitystreams","type":"Create","id":"https://a.example/1","object":{"type":"Note","id":"https://a.example/n"}}`, "the Create activity has no actor", false},
		{"Create without id", `{"type":"Create","actor":"https://a.example/u","object":{"type":"Note","id":"https://a.example/n"}}`, "the Create activity has no id", false},
		{"Create of an IRI", `{"type":"Create","id":"https://a.example/1","actor":"https://a.example/u","object":"https://a.example/n"}`, "no embedded object", false},
		{"Create of a Note without id", `{"type":"Create","id":"https://a.example/1","actor":"https://a.example/u","object":{"type":"Note","content":"hi"}}`, "the Note object has no id", false},
		{"javascript: actor", `{"type":"Follow","id":"https://a.example/1","actor":"javascript:alert(1)","object":"https://b.example/u"}`, "is not an http(s) URL", false},
		{"Follow without object", `{"type":"Follow","id":"https://a.example/1","actor":"https://a.example/u"}`, "the Follow activity has no object", false},
		{"Flag without object", `{"type":"Flag","id":"https://a.example/1","actor":"https://a.example/u"}`, "names no object", false},
		{"unknown activity type", `{"type":"EmojiReact","id":"https://a.example/1","actor":"https://a.example/u","object":"https://b.example/n"}`, `unsupported type "EmojiReact"`, true},
		{"Move", `{"type":"Move","id":"https://a.example/1","actor":"https://a.example/u","object":"https://a.example/u","target":"https://b.example/u"}`, `unsupported activity type "Move"`, true},
		{"Create of ChatMessage", `{"type":"Create","id":"https://a.example/1","actor":"https://a.example/u","object":{"type":"ChatMessage","id":"https://a.example/c"}}`, `Create of "ChatMessage"`, true},
		{"type array of unknowns", `{"type":["Foo","Bar"],"id":"https://a.example/1"}`, `unsupported type ["Foo","Bar"]`, true},
		{"Undo nesting", `{"type":"Undo","id":"https://a.example/1","actor":"https://a.example/u","object":` +
			strings.Repeat(`{"type":"Undo","actor":"https://a.example/u","object":`, 5) + `"https://a.example/x"` + strings.Repeat("}", 5) + "}", "nests activities deeper", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := ParseActivity([]byte(c.body))
			elapsed := time.Since(start)
			checkRefusal(t, err, c.want)
			if errors.Is(err, ErrUnsupportedType) != c.unsupported {
				t.Errorf("errors.Is(ErrUnsupportedType) = %v, want %v (%v)", !c.unsupported, c.unsupported, err)
			}
			if strings.Contains(c.name, "deep") && elapsed > 100*time.Millisecond {
				t.Errorf("refusing took %v; want well under 100ms", elapsed)
			}
		})
	}
}

// TestDeepNestingIsCheap measures the depth check alone on the worst input.
func TestDeepNestingIsCheap(t *testing.T) {
	body := []byte(strings.Repeat(`{"a":[`, 10000))
	start := time.Now()
	for i := 0; i < 10; i++ {
		if _, err := ParseActivity(body); err == nil {
			t.Fatal("accepted")
		}
	}
	if per := time.Since(start) / 10; per > 10*time.Millisecond {
		t.Errorf("%v per refusal; want under 10ms", per)
	}
}

func TestDepthCheckIgnoresBracketsInStrings(t *testing.T) {
	body := `{"type":"Like","id":"https://a.example/1","actor":"https://a.example/u","object":"https://b.example/n","content":"` +
		strings.Repeat(`[{\"`, 200) + `"}`
	if _, err := ParseActivity([]byte(body)); err != nil {
		t.Fatalf("refused: %v", err)
	}
}

func TestParseActorRefusals(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"inbox null", `{"type":"Person","id":"https://a.example/u","preferredUsername":"u","inbox":null}`, "has no inbox"},
		{"no inbox", `{"type":"Person","id":"https://a.example/u","preferredUsername":"u"}`, "has no inbox"},
		{"no preferredUsername", `{"type":"Person","id":"https://a.example/u","inbox":"https://a.example/u/inbox"}`, "no preferredUsername"},
		{"no id", `{"type":"Person","preferredUsername":"u","inbox":"https://a.example/u/inbox"}`, "has no id"},
		{"a Note", `{"type":"Note","id":"https://a.example/n"}`, `"Note" is not an actor type`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseActor([]byte(c.body))
			checkRefusal(t, err, c.want)
		})
	}
}

func TestParseTolerantShapes(t *testing.T) {
	// to/cc as strings, attributedTo as an object array, url as a bare
	// string, a title with a colon (go-fed would read it as an IRI), an
	// empty duration (go-fed v1.0.0 panics on it), a Label tag.
	body := `{
	  "type": "Video", "id": "https://pt.example/videos/watch/1",
	  "name": "Update: new release", "duration": "",
	  "attributedTo": [{"type": "Group", "id": "https://pt.example/c/ch"}, {"type": "Person", "id": "https://pt.example/a/al"}],
	  "url": "https://pt.example/w/1",
	  "to": "as:Public", "cc": "https://pt.example/a/al/followers",
	  "digitalSourceType": {"@id": "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"},
	  "attachment": {"type": "Document", "mediaType": "video/webm", "url": [{"type": "Link", "href": "https://pt.example/f.webm", "height": 720}],
	                 "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/compositedWithTrainedAlgorithmicMedia"},
	  "tag": [{"type": "Label", "name": "AI-generated", "href": "https://pt.example/labels/ai"}, "https://pt.example/tags/x"]
	}`
	o, err := ParseObject([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Name", o.Name, "Update: new release")
	eq(t, "Duration", o.Duration, time.Duration(0))
	eq(t, "AttributedTo", o.AttributedTo, "https://pt.example/a/al")
	eq(t, "URL", o.URL, "https://pt.example/w/1")
	eq(t, "Public (as:Public)", o.Public, true)
	eq(t, "DigitalSourceType", o.DigitalSourceType, "https://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
	if len(o.AttachmentSourceTypes) != 1 || !strings.HasSuffix(o.AttachmentSourceTypes[0], "compositedWithTrainedAlgorithmicMedia") {
		t.Errorf("AttachmentSourceTypes = %v", o.AttachmentSourceTypes)
	}
	if len(o.Media) != 1 || o.Media[0].Href != "https://pt.example/f.webm" || o.Media[0].MediaType != "video/webm" || o.Media[0].Height != 720 {
		t.Errorf("Media = %+v", o.Media)
	}
	hasTag(t, o.Tags, "Label", "AI-generated")
}

func TestMediaRanking(t *testing.T) {
	links := []Link{
		{Href: "hls", MediaType: "application/x-mpegurl"},
		{Href: "webm1080", MediaType: "video/webm", Height: 1080},
		{Href: "mp4-2160", MediaType: "video/mp4", Width: 3840, Height: 2160},
		{Href: "mp4-360", MediaType: "video/mp4", Width: 640, Height: 360},
		{Href: "mp4-unknown", MediaType: "video/mp4"},
		{Href: "mp4-720-portrait", MediaType: "video/mp4", Width: 720, Height: 1280},
		{Href: "mp4-1080", MediaType: "video/mp4", Width: 1920, Height: 1080},
	}
	rankMedia(links)
	var got []string
	for _, l := range links {
		got = append(got, l.Href)
	}
	want := "mp4-1080 mp4-720-portrait mp4-360 mp4-2160 mp4-unknown webm1080 hls"
	eq(t, "order", strings.Join(got, " "), want)
}

func TestSanitizeHTML(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<p>hi<script>alert(1)</script></p>`, `<p>hi</p>`},
		{`<img src=x onerror="alert(1)">text`, `text`},
		{`<a href="javascript:alert(1)">x</a>`, `x`},
		{`<p onclick="x()">p</p>`, `<p>p</p>`},
		{`<iframe src="https://evil.example"></iframe><style>p{}</style>ok`, `ok`},
		{`<a href="https://b.example/@u" onmouseover="x">u</a>`, `<a href="https://b.example/@u" rel="nofollow noreferrer noopener" target="_blank">u</a>`},
		{`<span class="h-card"><a href="https://b.example/@u" class="u-url mention">@<span>u</span></a></span>`,
			`<span class="h-card"><a href="https://b.example/@u" class="u-url mention" rel="nofollow noreferrer noopener" target="_blank">@<span>u</span></a></span>`},
		{`<span class="invisible">https://</span><span class="ellipsis">b.example/x</span>`, `<span class="invisible">https://</span><span class="ellipsis">b.example/x</span>`},
		{`<span class="evil" style="position:fixed">x</span>`, `<span>x</span>`},
		{`<b>b</b><strong>s</strong><i>i</i><em>e</em><code>c</code><pre>p</pre><blockquote>q</blockquote><ul><li>l</li></ul><ol><li>o</li></ol><br>`,
			`<b>b</b><strong>s</strong><i>i</i><em>e</em><code>c</code><pre>p</pre><blockquote>q</blockquote><ul><li>l</li></ul><ol><li>o</li></ol><br>`},
		{`<h1>t</h1><div>d</div>`, `td`},
	}
	for _, c := range cases {
		eq(t, "SanitizeHTML("+c.in+")", SanitizeHTML(c.in), c.want)
	}
	for _, rel := range []string{"nofollow", "noopener", "noreferrer"} {
		if !strings.Contains(SanitizeHTML(`<a href="https://x.example">x</a>`), rel) {
			t.Errorf("rel lacks %s", rel)
		}
	}
	eq(t, "StripTags", StripTags(`<b>Tom &amp; Jerry</b><script>x</script>`), "Tom & Jerry")
	eq(t, "PlainToHTML", PlainToHTML("a <b>\nc\n\nd"), "<p>a &lt;b&gt;<br>c</p><p>d</p>")
}

func TestParsedRemoteHTMLIsSanitized(t *testing.T) {
	body := `{"type":"Create","id":"https://a.example/1","actor":"https://a.example/u",
	  "object":{"type":"Note","id":"https://a.example/n","name":"<b>Title</b><script>x</script>",
	    "summary":"<img src=x onerror=alert(1)>cw","content":"<p>hi <a href=\"javascript:alert(1)\">x</a><script>alert(1)</script></p>"}}`
	a, err := ParseActivity([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "Name", a.Object.Name, "Title")
	eq(t, "Summary", a.Object.Summary, "cw")
	eq(t, "Content", a.Object.Content, "<p>hi x</p>")
	for _, s := range []string{a.Object.Name, a.Object.Summary, a.Object.Content} {
		if bytes.Contains([]byte(strings.ToLower(s)), []byte("script")) || strings.Contains(s, "onerror") || strings.Contains(s, "javascript:") {
			t.Errorf("unsafe HTML left: %q", s)
		}
	}
}

// TestGoFedPanicIsContained: go-fed v1.0.0 indexes s[0] of an empty
// xsd:duration. decode scrubs such values; toType recovers if one slips by.
func TestGoFedPanicIsContained(t *testing.T) {
	m := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Video", "id": "https://a.example/v", "duration": ""}
	if _, err := toType(m); err == nil {
		t.Fatal("go-fed accepted an empty duration; the scrub may no longer be needed")
	}
	for _, d := range []string{`""`, `"-"`, `"P"`, `"PT"`, `"-PT5S"`, `"PTxS"`} {
		body := `{"type":"Video","id":"https://a.example/v","duration":` + d + `}`
		if _, err := ParseObject([]byte(body)); err != nil {
			t.Errorf("duration %s: %v", d, err)
		}
	}
}

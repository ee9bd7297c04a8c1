package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// Whatever people type — markup, entities, control characters that XML 1.0
// cannot hold — both formats stay well-formed and read back as typed (the
// forbidden characters replaced).
func TestFeedsStayWellFormed(t *testing.T) {
	tricky := "Cats & <dogs> \"quoted\" ]]> \x01 done"
	want := strings.ReplaceAll(tricky, "\x01", "\uFFFD")
	f := Feed{Title: tricky, SelfURL: "https://a.example/feeds/local.atom?media=ai&x=1", PageURL: "https://a.example/",
		Items: []Item{{ID: "https://a.example/videos/1", Title: tricky, URL: "https://a.example/videos/1",
			Published: time.Unix(1700000000, 0), Updated: time.Unix(1700000000, 0), Author: tricky,
			Summary: tricky, Content: "<p>" + tricky + "</p>", Categories: []string{LabelCategory, tricky},
			Enclosure: &Enclosure{URL: "https://a.example/media/1.mp4?a=1&b=2", Type: "video/mp4", Length: 42}}}}
	for name, write := range map[string]func(*bytes.Buffer, Feed) error{
		"atom": func(b *bytes.Buffer, f Feed) error { return WriteAtom(b, f) },
		"rss":  func(b *bytes.Buffer, f Feed) error { return WriteRSS(b, f) },
	} {
		var b bytes.Buffer
		if err := write(&b, f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dec := xml.NewDecoder(&b)
		var titles []string
		inTitle := false
		for {
			tok, err := dec.Token()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("%s is not well-formed XML: %v", name, err)
				}
				break
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inTitle = tok.Name.Local == "title"
			case xml.CharData:
				if inTitle {
					titles = append(titles, string(tok))
				}
			case xml.EndElement:
				inTitle = false
			}
		}
		if len(titles) != 2 || titles[0] != want || titles[1] != want {
			t.Errorf("%s: titles read back as %q, want %q twice", name, titles, want)
		}
	}
}

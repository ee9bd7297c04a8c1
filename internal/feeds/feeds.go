// Package feeds writes timelines as Atom (RFC 4287) and RSS 2.0 documents,
// with each clip's MP4 as an enclosure, its thumbnail as a Media RSS
// thumbnail, and its synthetic-media label as a category and a line of
// text. It knows nothing of HTTP; encoding/xml does all the escaping.
package feeds

import (
	"encoding/xml"
	"html"
	"io"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/videos"
)

// Content types of the two formats.
const (
	AtomType = "application/atom+xml"
	RSSType  = "application/rss+xml"
)

// LabelCategory marks a labelled clip in a feed, as the #AIGenerated hashtag
// does on the Fediverse.
const LabelCategory = "AIGenerated"

// Namespaces beyond the formats' own.
const (
	nsAtom  = "http://www.w3.org/2005/Atom"
	nsMedia = "http://search.yahoo.com/mrss/"
	nsDC    = "http://purl.org/dc/elements/1.1/"
)

// Feed is a timeline ready to be written in either format.
type Feed struct {
	Title    string
	Subtitle string
	SelfURL  string // the feed's own address
	PageURL  string // the HTML page of the same timeline
	Updated  time.Time
	Items    []Item
}

// Item is one clip.
type Item struct {
	ID         string // the ActivityPub id: stable and unique
	Title      string
	URL        string // the watch page
	Published  time.Time
	Updated    time.Time
	Author     string
	AuthorURL  string
	Summary    string // plain text: the label line (if any), then the description
	Content    string // HTML: thumbnail, label line, description
	Categories []string
	Enclosure  *Enclosure
	Thumbnail  *Thumbnail
}

// Enclosure is the playable file.
type Enclosure struct {
	URL    string
	Type   string
	Length int64
}

// Thumbnail is a still of the clip.
type Thumbnail struct {
	URL    string
	Width  int
	Height int
}

// paragraphBreaks keeps the paragraphs of remote HTML apart when its tags
// are stripped for the plain-text summary.
var paragraphBreaks = strings.NewReplacer("</p>", "</p>\n\n", "<br>", "<br>\n", "<br/>", "<br/>\n", "<br />", "<br />\n")

// ItemOf turns a video into an item; watchURL is its page on this server.
func ItemOf(v *model.Video, watchURL string) Item {
	it := Item{ID: v.URI, Title: v.Title, URL: watchURL, Published: v.PublishedAt, Updated: v.UpdatedAt}
	if it.Updated.Before(it.Published) {
		it.Updated = it.Published
	}
	if a := v.Account; a != nil {
		it.Author, it.AuthorURL = a.DisplayName, a.URL
		if it.Author == "" {
			it.Author = a.Username
		}
	}
	// Local descriptions are plain text; remote ones sanitized HTML.
	description, descriptionHTML := v.Description, ap.PlainToHTML(v.Description)
	if !v.Local {
		description, descriptionHTML = ap.StripTags(paragraphBreaks.Replace(v.Description)), v.Description
	}
	label := videos.LabelLine(v)
	it.Summary = strings.TrimSpace(label + "\n\n" + description)
	if v.Synthetic {
		it.Categories = append(it.Categories, LabelCategory)
	}
	for _, t := range v.Tags {
		if !strings.EqualFold(t.Name, LabelCategory) {
			it.Categories = append(it.Categories, t.Name)
		}
	}
	var best *model.MediaFile
	for _, m := range v.Media {
		switch {
		case m.Role == model.MediaThumbnail:
			it.Thumbnail = &Thumbnail{URL: m.URL, Width: m.Width, Height: m.Height}
		case strings.HasPrefix(m.MimeType, "video/") && (best == nil || m.Width*m.Height > best.Width*best.Height):
			best = m
		}
	}
	if best != nil {
		it.Enclosure = &Enclosure{URL: best.URL, Type: best.MimeType, Length: best.Size}
	}
	if it.Thumbnail == nil && v.ThumbnailURL != "" {
		it.Thumbnail = &Thumbnail{URL: v.ThumbnailURL}
	}
	// The HTML body is built from escaped parts; the encoder escapes it again
	// as the element's text, as both formats require.
	var b strings.Builder
	if it.Thumbnail != nil {
		alt := "Still from " + v.Title
		if kind := videos.LabelKind(v); kind != "" {
			alt += " (" + kind + " clip)"
		}
		b.WriteString(`<p><a href="` + html.EscapeString(watchURL) + `"><img src="` + html.EscapeString(it.Thumbnail.URL) +
			`" alt="` + html.EscapeString(alt) + `"></a></p>`)
	}
	if label != "" {
		b.WriteString("<p><strong>🤖 " + html.EscapeString(label) + "</strong></p>")
	}
	b.WriteString(descriptionHTML)
	it.Content = b.String()
	return it
}

// Atom.

type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	NSMedia  string      `xml:"xmlns:media,attr"`
	ID       string      `xml:"id"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Gen      string      `xml:"generator"`
	Entries  []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Href   string `xml:"href,attr"`
	Length int64  `xml:"length,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Author     atomAuthor     `xml:"author"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
	Thumbnail  *mediaThumb    `xml:"media:thumbnail"`
}

type atomAuthor struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type mediaThumb struct {
	URL    string `xml:"url,attr"`
	Width  int    `xml:"width,attr,omitempty"`
	Height int    `xml:"height,attr,omitempty"`
}

func thumb(t *Thumbnail) *mediaThumb {
	if t == nil {
		return nil
	}
	return &mediaThumb{URL: t.URL, Width: t.Width, Height: t.Height}
}

// WriteAtom writes f as an Atom feed.
func WriteAtom(w io.Writer, f Feed) error {
	doc := atomFeed{
		NSMedia: nsMedia, ID: f.SelfURL, Title: f.Title, Subtitle: f.Subtitle, Updated: f.updated().Format(time.RFC3339),
		Links: []atomLink{{Rel: "self", Type: AtomType, Href: f.SelfURL}, {Rel: "alternate", Type: "text/html", Href: f.PageURL}},
		Gen:   "Assay",
	}
	for _, it := range f.Items {
		e := atomEntry{
			ID: it.ID, Title: it.Title,
			Published: it.Published.UTC().Format(time.RFC3339), Updated: it.Updated.UTC().Format(time.RFC3339),
			Author:    atomAuthor{Name: it.Author, URI: it.AuthorURL},
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: it.URL}},
			Summary:   atomText{Type: "text", Body: it.Summary},
			Content:   atomText{Type: "html", Body: it.Content},
			Thumbnail: thumb(it.Thumbnail),
		}
		if it.Enclosure != nil {
			e.Links = append(e.Links, atomLink{Rel: "enclosure", Type: it.Enclosure.Type, Href: it.Enclosure.URL, Length: it.Enclosure.Length})
		}
		for _, c := range it.Categories {
			e.Categories = append(e.Categories, atomCategory{Term: c})
		}
		doc.Entries = append(doc.Entries, e)
	}
	return encode(w, doc)
}

// RSS.

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	NSAtom  string     `xml:"xmlns:atom,attr"`
	NSMedia string     `xml:"xmlns:media,attr"`
	NSDC    string     `xml:"xmlns:dc,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Self          atomLink  `xml:"atom:link"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate"`
	Creator     string        `xml:"dc:creator,omitempty"`
	Categories  []string      `xml:"category"`
	Description string        `xml:"description"`
	Enclosure   *rssEnclosure `xml:"enclosure"`
	Thumbnail   *mediaThumb   `xml:"media:thumbnail"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type rssEnclosure struct {
	URL    string `xml:"url,attr"`
	Type   string `xml:"type,attr"`
	Length int64  `xml:"length,attr"`
}

// WriteRSS writes f as an RSS 2.0 feed.
func WriteRSS(w io.Writer, f Feed) error {
	description := f.Subtitle
	if description == "" {
		description = f.Title
	}
	doc := rssDoc{
		Version: "2.0", NSAtom: nsAtom, NSMedia: nsMedia, NSDC: nsDC,
		Channel: rssChannel{
			Title: f.Title, Link: f.PageURL, Description: description,
			Self:          atomLink{Rel: "self", Type: RSSType, Href: f.SelfURL},
			LastBuildDate: f.updated().Format(time.RFC1123Z), Generator: "Assay",
		},
	}
	for _, it := range f.Items {
		item := rssItem{
			Title: it.Title, Link: it.URL, GUID: rssGUID{IsPermaLink: "false", Value: it.ID},
			PubDate: it.Published.UTC().Format(time.RFC1123Z), Creator: it.Author,
			Categories: it.Categories, Description: it.Content, Thumbnail: thumb(it.Thumbnail),
		}
		if it.Enclosure != nil {
			item.Enclosure = &rssEnclosure{URL: it.Enclosure.URL, Type: it.Enclosure.Type, Length: it.Enclosure.Length}
		}
		doc.Channel.Items = append(doc.Channel.Items, item)
	}
	return encode(w, doc)
}

// updated is the feed's last change: its newest item's, or its own.
func (f Feed) updated() time.Time {
	t := f.Updated
	for _, it := range f.Items {
		if it.Updated.After(t) {
			t = it.Updated
		}
	}
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC()
}

func encode(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return enc.Close()
}

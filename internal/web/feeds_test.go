package web_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/testrig"
)

// feedItem is an Atom entry or an RSS item, as a feed reader takes it.
type feedItem struct {
	Title, Link, Author, Summary string
	Published                    time.Time
	Categories                   []string
	Enclosure                    struct {
		URL, Type string
		Length    int64
	}
	Thumbnail string
}

type xmlLink struct {
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr"`
	Href   string `xml:"href,attr"`
	Length int64  `xml:"length,attr"`
}

type xmlThumb struct {
	URL string `xml:"url,attr"`
}

type atomDoc struct {
	XMLName xml.Name  `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string    `xml:"title"`
	Links   []xmlLink `xml:"link"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Author    struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Links      []xmlLink `xml:"link"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
		Summary   string   `xml:"summary"`
		Thumbnail xmlThumb `xml:"http://search.yahoo.com/mrss/ thumbnail"`
	} `xml:"entry"`
}

type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		Link  string `xml:"link"`
		Items []struct {
			Title       string   `xml:"title"`
			Link        string   `xml:"link"`
			PubDate     string   `xml:"pubDate"`
			Creator     string   `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Categories  []string `xml:"category"`
			Description string   `xml:"description"`
			Enclosure   struct {
				URL    string `xml:"url,attr"`
				Type   string `xml:"type,attr"`
				Length int64  `xml:"length,attr"`
			} `xml:"enclosure"`
			Thumbnail xmlThumb `xml:"http://search.yahoo.com/mrss/ thumbnail"`
		} `xml:"item"`
	} `xml:"channel"`
}

// readFeed fetches a feed, checks its content type and parses it with
// encoding/xml into the items a reader would show.
func readFeed(t *testing.T, inst *testrig.Instance, path string) []feedItem {
	t.Helper()
	resp := inst.Browser().Get(path)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: status %d: %s", path, resp.StatusCode, resp.Body)
	}
	ct := resp.Header.Get("Content-Type")
	var items []feedItem
	switch {
	case strings.Contains(path, ".atom"):
		if !strings.HasPrefix(ct, "application/atom+xml") {
			t.Errorf("%s: Content-Type %q, want application/atom+xml", path, ct)
		}
		var doc atomDoc
		if err := xml.Unmarshal(resp.Body, &doc); err != nil {
			t.Fatalf("%s is not an Atom feed: %v\n%s", path, err, resp.Body)
		}
		for _, e := range doc.Entries {
			it := feedItem{Title: e.Title, Author: e.Author.Name, Summary: e.Summary, Thumbnail: e.Thumbnail.URL}
			it.Published, _ = time.Parse(time.RFC3339, e.Published)
			for _, l := range e.Links {
				switch l.Rel {
				case "alternate":
					it.Link = l.Href
				case "enclosure":
					it.Enclosure.URL, it.Enclosure.Type, it.Enclosure.Length = l.Href, l.Type, l.Length
				}
			}
			for _, c := range e.Categories {
				it.Categories = append(it.Categories, c.Term)
			}
			items = append(items, it)
		}
	case strings.Contains(path, ".rss"):
		if !strings.HasPrefix(ct, "application/rss+xml") {
			t.Errorf("%s: Content-Type %q, want application/rss+xml", path, ct)
		}
		var doc rssDoc
		if err := xml.Unmarshal(resp.Body, &doc); err != nil {
			t.Fatalf("%s is not an RSS feed: %v\n%s", path, err, resp.Body)
		}
		if doc.Version != "2.0" {
			t.Errorf("%s: RSS version %q", path, doc.Version)
		}
		for _, i := range doc.Channel.Items {
			it := feedItem{Title: i.Title, Link: i.Link, Author: i.Creator, Summary: i.Description,
				Categories: i.Categories, Thumbnail: i.Thumbnail.URL}
			it.Published, _ = time.Parse(time.RFC1123Z, i.PubDate)
			it.Enclosure.URL, it.Enclosure.Type, it.Enclosure.Length = i.Enclosure.URL, i.Enclosure.Type, i.Enclosure.Length
			items = append(items, it)
		}
	default:
		t.Fatalf("%s: not a feed path", path)
	}
	return items
}

func itemTitles(items []feedItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

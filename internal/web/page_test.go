package web_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// What a person sees on a timeline page, read from the parsed HTML rather
// than from the markup's spelling.

type tile struct {
	Title  string
	URL    string // the tile's link
	Alt    string // the thumbnail's text alternative
	Author string
	Badge  string // the label's words; "" when unlabelled
}

type tab struct {
	Label   string
	URL     string
	Current bool
}

type page struct{ root *html.Node }

func parsePage(t *testing.T, body []byte) *page {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the page is not HTML: %v", err)
	}
	return &page{root: root}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

// textOf is the text a screen reader would read: aria-hidden parts left out.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if v, _ := attr(n, "aria-hidden"); v == "true" {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func find(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func first(n *html.Node, match func(*html.Node) bool) *html.Node {
	if all := find(n, match); len(all) > 0 {
		return all[0]
	}
	return nil
}

func element(tag, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag && (class == "" || hasClass(n, class)) }
}

func (p *page) tiles() []tile {
	var out []tile
	for _, li := range find(p.root, element("li", "tile")) {
		var t tile
		if a := first(li, element("a", "tile-link")); a != nil {
			t.URL, _ = attr(a, "href")
		}
		if s := first(li, element("span", "tile-title")); s != nil {
			t.Title = textOf(s)
		}
		if img := first(li, element("img", "")); img != nil {
			t.Alt, _ = attr(img, "alt")
		}
		if by := first(li, element("p", "byline")); by != nil {
			if a := first(by, element("a", "")); a != nil {
				t.Author = textOf(a)
			}
		}
		if b := first(li, element("p", "badge")); b != nil {
			t.Badge = textOf(b)
		}
		out = append(out, t)
	}
	return out
}

func (p *page) titles() []string {
	out := []string{}
	for _, t := range p.tiles() {
		out = append(out, t.Title)
	}
	return out
}

// tabs are the links of the navigation landmark named label.
func (p *page) tabs(label string) []tab {
	var out []tab
	nav := first(p.root, func(n *html.Node) bool {
		v, _ := attr(n, "aria-label")
		return n.Data == "nav" && v == label
	})
	if nav == nil {
		return nil
	}
	for _, a := range find(nav, element("a", "")) {
		href, _ := attr(a, "href")
		cur, _ := attr(a, "aria-current")
		out = append(out, tab{Label: textOf(a), URL: href, Current: cur == "page"})
	}
	return out
}

// current is the label of the tab marked current, "" when none is, and
// "several" when more than one is.
func current(tabs []tab) string {
	label := ""
	for _, t := range tabs {
		if t.Current {
			if label != "" {
				return "several"
			}
			label = t.Label
		}
	}
	return label
}

// feedLinks are the <link rel="alternate"> feeds in the head: type → href.
func (p *page) feedLinks() map[string][]string {
	out := map[string][]string{}
	for _, l := range find(p.root, element("link", "")) {
		if rel, _ := attr(l, "rel"); rel != "alternate" {
			continue
		}
		typ, _ := attr(l, "type")
		href, _ := attr(l, "href")
		out[typ] = append(out[typ], href)
	}
	return out
}

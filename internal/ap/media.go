package ap

import (
	"path"
	"sort"
	"strings"
)

// Link is a media file or page as the wire describes it: an attachment
// Document, a url Link, an icon Image.
type Link struct {
	Href              string
	MediaType         string
	Name              string
	Width, Height     int
	Size              int64
	DigitalSourceType string // raw, as found on the attachment
}

// Tag is one entry of an object's tag list.
type Tag struct {
	Type string // Hashtag, Mention, Emoji, Label, …
	Name string
	Href string
}

// linkOf describes a node as a Link. An object (Document, Image) carries its
// file in url — a string or Links — and its own mediaType/size; a Link
// carries href.
func linkOf(n node) Link {
	var l Link
	switch {
	case n.iri != "":
		l.Href = n.iri
	case n.t != nil:
		l.Href = hrefOf(n.t)
		l.MediaType = mediaTypeOf(n.t)
		l.Name = StripTags(nameOf(n.t))
		l.Width, l.Height = widthOf(n.t), heightOf(n.t)
		if l.Width == 0 && l.Height == 0 {
			// A Document's size is an extension to go-fed.
			l.Width, l.Height = int(intValue(n.ext("width"))), int(intValue(n.ext("height")))
		}
		if l.Href == "" {
			if u := firstURL(urlNodes(n.t)); u.Href != "" {
				l.Href = u.Href
				if l.MediaType == "" {
					l.MediaType = u.MediaType
				}
				if l.Width == 0 && l.Height == 0 {
					l.Width, l.Height = u.Width, u.Height
				}
			}
		}
	case n.raw != nil:
		l.Href, _ = n.raw["href"].(string)
		l.MediaType, _ = n.raw["mediaType"].(string)
		l.Name = StripTags(rawText(n.raw["name"]))
		l.Width, l.Height = int(intValue(n.raw["width"])), int(intValue(n.raw["height"]))
		if l.Href == "" {
			if u := firstURL(rawNodes(n.raw["url"])); u.Href != "" {
				l.Href = u.Href
				if l.MediaType == "" {
					l.MediaType = u.MediaType
				}
				if l.Width == 0 && l.Height == 0 {
					l.Width, l.Height = u.Width, u.Height
				}
			}
		}
	}
	if l.MediaType == "" {
		// PeerTube before 1.0 wrote mimeType.
		l.MediaType, _ = n.ext("mimeType").(string)
	}
	l.MediaType = strings.ToLower(strings.TrimSpace(l.MediaType))
	l.Size = intValue(n.ext("size"))
	l.DigitalSourceType = iriString(n.ext("digitalSourceType"))
	if !isHTTPURL(l.Href) {
		l.Href = ""
	}
	return l
}

// firstURL is the first usable entry of a url property, preferring a file
// Link with a media type over a bare IRI.
func firstURL(ns []node) Link {
	var first Link
	for _, n := range ns {
		if n.iri != "" {
			if first.Href == "" && isHTTPURL(n.iri) {
				first = Link{Href: n.iri}
			}
			continue
		}
		l := linkOf(n)
		if l.Href != "" && l.MediaType != "" {
			return l
		}
		if first.Href == "" {
			first = l
		}
	}
	return first
}

// pageURL picks the HTML page from a url property, as Mastodon does
// (json_ld_helper.rb url_to_href with 'text/html'): a bare IRI, or the first
// Link whose media type is text/html or absent.
func pageURL(ns []node) string {
	for _, n := range ns {
		if n.iri != "" {
			if isHTTPURL(n.iri) {
				return n.iri
			}
			continue
		}
		l := linkOf(n)
		if l.Href != "" && (l.MediaType == "" || l.MediaType == "text/html") {
			return l.Href
		}
	}
	return ""
}

// guessMediaType fills in a missing media type from the file extension, as
// Mastodon does when an attachment omits mediaType.
func guessMediaType(href string) string {
	p := href
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".mp4", ".m4v":
		return "video/mp4"
	case ".webm":
		return "video/webm"
	case ".mov":
		return "video/quicktime"
	case ".m3u8":
		return "application/x-mpegurl"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".webp":
		return "image/webp"
	}
	return ""
}

// isHLS is true for an HLS playlist media type.
func isHLS(mt string) bool {
	return mt == "application/x-mpegurl" || mt == "application/vnd.apple.mpegurl"
}

// playable is true for what a browser (or hls.js) can play.
func playable(mt string) bool {
	return strings.HasPrefix(mt, "video/") || isHLS(mt)
}

// mediaCollector gathers playable files from attachments and url Links,
// descending into an HLS Link's tag, where PeerTube lists its MP4s.
type mediaCollector struct {
	seen  map[string]int // href → index in links
	links []Link
}

// mergeLinks completes a file described twice (an attachment and a url Link
// of the same href) with what only the second description says.
func mergeLinks(a, b Link) Link {
	if a.Name == "" {
		a.Name = b.Name
	}
	if a.Width == 0 && a.Height == 0 {
		a.Width, a.Height = b.Width, b.Height
	}
	if a.Size == 0 {
		a.Size = b.Size
	}
	if a.DigitalSourceType == "" {
		a.DigitalSourceType = b.DigitalSourceType
	}
	return a
}

func (c *mediaCollector) add(n node, depth int) {
	l := linkOf(n)
	if l.MediaType == "" {
		l.MediaType = guessMediaType(l.Href)
	}
	if l.Href != "" && playable(l.MediaType) {
		if i, ok := c.seen[l.Href]; ok {
			c.links[i] = mergeLinks(c.links[i], l)
		} else {
			if c.seen == nil {
				c.seen = make(map[string]int)
			}
			c.seen[l.Href] = len(c.links)
			c.links = append(c.links, l)
		}
	}
	if depth > 0 || n.iri != "" {
		return
	}
	// An attachment Document may list several files in its url; a PeerTube
	// HLS Link lists its fragmented MP4s in its tag.
	if n.t != nil || n.raw != nil {
		var inner []node
		if n.t != nil {
			if hrefOf(n.t) == "" {
				inner = append(inner, urlNodes(n.t)...)
			}
		} else if _, ok := n.raw["href"]; !ok {
			inner = append(inner, rawNodes(n.raw["url"])...)
		}
		inner = append(inner, rawNodes(n.ext("tag"))...)
		for _, m := range inner {
			if m.iri == "" {
				c.add(m, depth+1)
			}
		}
	}
}

// rankMedia orders files best first: MP4 before other video types before HLS
// playlists, then heights up to 1080 from the tallest down, then taller ones
// from the smallest up, then unknown sizes. Ties keep document order.
func rankMedia(links []Link) {
	group := func(l Link) int {
		switch {
		case l.MediaType == "video/mp4":
			return 0
		case strings.HasPrefix(l.MediaType, "video/"):
			return 1
		}
		return 2
	}
	// Quality is the shorter side (720 for a 720x1280 portrait clip);
	// PeerTube before 1.0 gave the resolution as width alone.
	res := func(l Link) int {
		switch {
		case l.Height == 0:
			return l.Width
		case l.Width > 0 && l.Width < l.Height:
			return l.Width
		}
		return l.Height
	}
	key := func(l Link) (int, int) {
		h := res(l)
		switch {
		case h > 0 && h <= 1080:
			return 0, -h
		case h > 1080:
			return 1, h
		}
		return 2, 0
	}
	sort.SliceStable(links, func(i, j int) bool {
		gi, gj := group(links[i]), group(links[j])
		if gi != gj {
			return gi < gj
		}
		bi, hi := key(links[i])
		bj, hj := key(links[j])
		if bi != bj {
			return bi < bj
		}
		return hi < hj
	})
}

// thumbnails collects images from icon, image and preview (skipping
// PeerTube's storyboard sprites), largest first.
func thumbnails(groups ...[]node) []Link {
	seen := map[string]bool{}
	var out []Link
	for _, ns := range groups {
		for _, n := range ns {
			if rel := n.ext("rel"); rel != nil && containsString(rel, "storyboard") {
				continue
			}
			l := linkOf(n)
			if l.MediaType == "" {
				l.MediaType = guessMediaType(l.Href)
			}
			if l.Href == "" || seen[l.Href] {
				continue
			}
			switch l.MediaType {
			case "image/jpeg", "image/png", "image/webp", "":
			default:
				continue
			}
			seen[l.Href] = true
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Width*out[i].Height > out[j].Width*out[j].Height })
	return out
}

func containsString(v any, s string) bool {
	switch x := v.(type) {
	case string:
		return x == s
	case []any:
		for _, e := range x {
			if e == s {
				return true
			}
		}
	}
	return false
}

// tagsOf reads an object's tag list.
func tagsOf(ns []node) []Tag {
	var out []Tag
	for _, n := range ns {
		if n.iri != "" {
			continue
		}
		tag := Tag{Type: n.typeName()}
		switch {
		case n.t != nil:
			tag.Name = StripTags(nameOf(n.t))
			tag.Href = hrefOf(n.t)
		case n.raw != nil:
			tag.Name = StripTags(rawText(n.raw["name"]))
			tag.Href, _ = n.raw["href"].(string)
		}
		if tag.Href == "" {
			tag.Href = n.id()
		}
		if tag.Type == "" && tag.Name == "" && tag.Href == "" {
			continue
		}
		out = append(out, tag)
	}
	return out
}

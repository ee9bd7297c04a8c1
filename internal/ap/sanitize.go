package ap

import (
	"html"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// The policies are built once and never changed afterwards; bluemonday
// policies are safe for concurrent use once built.
var (
	htmlPolicy   = newHTMLPolicy()
	strictPolicy = bluemonday.StrictPolicy()
)

// paragraphBreak separates paragraphs in plain text: a blank line.
var paragraphBreak = regexp.MustCompile(`\n\s*\n`)

// mastodonClasses are the classes Mastodon (and servers copying it) put on
// mentions, hashtags and shortened links; Mastodon's own sanitizer keeps the
// same set (h-*, u-*, mention, hashtag, ellipsis, invisible).
var mastodonClasses = regexp.MustCompile(`^(?:(?:h-card|mention|hashtag|u-url|invisible|ellipsis)(?:\s+|$))+$`)

func newHTMLPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "b", "strong", "i", "em", "code", "pre", "blockquote", "ul", "ol", "li", "span")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("class").Matching(mastodonClasses).OnElements("a", "span")
	p.AllowURLSchemes("http", "https")
	p.AllowRelativeURLs(false)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // also adds rel=noopener
	return p
}

// SanitizeHTML keeps the small HTML vocabulary that Fediverse posts use — p,
// br, links (http/https only, opened in a new tab with rel="nofollow noopener
// noreferrer"), Mastodon's mention/hashtag spans, simple emphasis, code, quotes
// and lists — and drops everything else: scripts, styles, iframes, images,
// event handlers, javascript: URLs.
func SanitizeHTML(s string) string {
	if s == "" {
		return ""
	}
	return strings.TrimSpace(htmlPolicy.Sanitize(s))
}

// RemoteHTML reads a remote text property that is meant as HTML. Text with
// no tag at all is plain text (PeerTube's descriptions and bios, Lemmy's
// markdown): its line breaks are kept through PlainToHTML. Everything else
// goes through SanitizeHTML.
func RemoteHTML(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if !strings.Contains(s, "<") {
		return PlainToHTML(html.UnescapeString(s))
	}
	return SanitizeHTML(s)
}

// StripTags turns remote HTML into plain text: tags dropped, entities decoded.
// The result is text, to be escaped by whatever renders it.
func StripTags(s string) string {
	if s == "" {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(strictPolicy.Sanitize(s)))
}

// PlainToHTML turns plain text (a local description, a comment, a PeerTube
// markdown description) into safe HTML: escaped, blank lines separate <p>
// paragraphs, single newlines become <br>.
func PlainToHTML(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range paragraphBreak.Split(s, -1) {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/feeds"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/videos"
)

// Feeds are public documents, the same for everyone: a filter they do not
// name is all, never a logged-in viewer's default.

// feedFile splits "NAME.atom" or "NAME.rss" into the name and the format.
func feedFile(file string) (name, format string, ok bool) {
	for _, ext := range []string{".atom", ".rss"} {
		if n, found := strings.CutSuffix(file, ext); found && n != "" {
			return n, ext[1:], true
		}
	}
	return "", "", false
}

// feedRequest is what every feed handler reads first.
func (h *Handler) feedRequest(w http.ResponseWriter, r *http.Request) (name, format, media string, ok bool) {
	name, format, ok = feedFile(r.PathValue("feed"))
	if !ok {
		h.NotFound(w, r)
		return "", "", "", false
	}
	media, err := mediaFilter(r, nil)
	if err != nil {
		h.errorPage(w, r, err)
		return "", "", "", false
	}
	return name, format, media, true
}

// timelineFeed is /feeds/local.atom, /feeds/federated.rss and so on.
func (h *Handler) timelineFeed(w http.ResponseWriter, r *http.Request) {
	kind, format, media, ok := h.feedRequest(w, r)
	if !ok {
		return
	}
	if kind != store.TimelineLocal && kind != store.TimelineFederated {
		h.NotFound(w, r)
		return
	}
	name := h.instanceName(r)
	h.serveFeed(w, r, format, media, timelineNames[kind]+" clips on "+name,
		link("/", "timeline", kind, "media", filterParam(media)), "/feeds/"+kind,
		store.TimelineQuery{Kind: kind, Media: media})
}

// accountFeed is /feeds/accounts/NAME.atom (or .rss): a local person's clips.
func (h *Handler) accountFeed(w http.ResponseWriter, r *http.Request) {
	name, format, media, ok := h.feedRequest(w, r)
	if !ok {
		return
	}
	acct, err := h.Accounts.LocalAccount(r.Context(), name)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	display := acct.DisplayName
	if display == "" {
		display = acct.Username
	}
	h.serveFeed(w, r, format, media, "Clips by "+display+" (@"+acct.Username+"@"+h.PublicURL.Host+")",
		link("/@"+acct.Username, "media", filterParam(media)), "/feeds/accounts/"+acct.Username,
		store.TimelineQuery{Kind: store.TimelineAccount, AccountID: acct.ID, Media: media})
}

// tagFeed is /feeds/tags/TAG.atom (or .rss).
func (h *Handler) tagFeed(w http.ResponseWriter, r *http.Request) {
	raw, format, media, ok := h.feedRequest(w, r)
	if !ok {
		return
	}
	tag, ok := videos.TagName(raw)
	if !ok {
		h.errorPage(w, r, apperr.NotFound("That is not a hashtag."))
		return
	}
	h.serveFeed(w, r, format, media, "Clips tagged #"+tag+" on "+h.instanceName(r),
		link("/tags/"+url.PathEscape(tag), "media", filterParam(media)), "/feeds/tags/"+url.PathEscape(tag),
		store.TimelineQuery{Kind: store.TimelineTag, Tag: tag, Media: media})
}

func (h *Handler) instanceName(r *http.Request) string {
	if inst, err := h.Instance.Get(r.Context()); err == nil {
		return inst.Name
	}
	return "Assay"
}

// serveFeed reads the newest page of a timeline and writes it as Atom or
// RSS; page is the HTML timeline's path, base the feed's path without its
// extension.
func (h *Handler) serveFeed(w http.ResponseWriter, r *http.Request, format, media, title, page, base string, q store.TimelineQuery) {
	q.Limit = videos.MaxTimelineLimit
	vs, err := h.Videos.Timeline(r.Context(), nil, q)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	if media != store.MediaAll {
		title += map[string]string{store.MediaHuman: " — human-made only", store.MediaAI: " — AI-generated only"}[media]
	}
	abs := func(path string) string { return strings.TrimSuffix(h.PublicURL.String(), "/") + path }
	f := feeds.Feed{
		Title: title, PageURL: abs(page), SelfURL: abs(link(base+"."+format, "media", filterParam(media))),
		Subtitle: "Short videos; every AI-generated or AI-edited clip is labelled.",
	}
	for _, v := range vs {
		f.Items = append(f.Items, feeds.ItemOf(v, abs("/videos/"+v.ID)))
	}
	var buf bytes.Buffer
	write, contentType := feeds.WriteAtom, feeds.AtomType
	if format == "rss" {
		write, contentType = feeds.WriteRSS, feeds.RSSType
	}
	if err := write(&buf, f); err != nil {
		h.errorPage(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType+"; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if _, err := w.Write(buf.Bytes()); err != nil {
		httpx.Logger(r.Context()).Debug("feed not sent", "err", err)
	}
}

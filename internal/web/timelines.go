package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/feeds"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/videos"
	"github.com/assay-social/assay/templates"
)

// timelineRoutes registers the timeline pages and their feeds.
func (h *Handler) timelineRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /{handle}", h.profile) // /@NAME; literal routes take precedence
	mux.HandleFunc("GET /tags/{tag}", h.tag)
	mux.HandleFunc("GET /feeds/{feed}", h.timelineFeed)
	mux.HandleFunc("GET /feeds/accounts/{feed}", h.accountFeed)
	mux.HandleFunc("GET /feeds/tags/{feed}", h.tagFeed)
}

// The media filters in the order the tabs show them.
var mediaTabs = []struct{ value, label, only string }{
	{store.MediaAll, "All", ""},
	{store.MediaHuman, "Human", "human-made"},
	{store.MediaAI, "AI", "AI-generated or AI-edited"},
}

var timelineNames = map[string]string{
	store.TimelineHome:      "Home",
	store.TimelineLocal:     "Local",
	store.TimelineFederated: "Federated",
}

// link builds a local URL from a path and query pairs, leaving out empty values.
func link(path string, pairs ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			q.Set(pairs[i], pairs[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// mediaFilter resolves ?media= for viewer (their default when absent).
func mediaFilter(r *http.Request, viewer *model.User) (string, error) {
	media, err := videos.MediaFilter(viewer, r.URL.Query().Get("media"))
	if err != nil {
		return "", apperr.BadRequest("There is no such filter: choose all, human or ai.")
	}
	return media, nil
}

// timelineView lays out a page of videos with the All / Human / AI tabs;
// at(media, maxID) is the address of the same timeline with another filter
// or page.
func (h *Handler) timelineView(ctx context.Context, p templates.Page, label, media string, vs []*model.Video, at func(media, maxID string) string) templates.TimelineView {
	tv := templates.TimelineView{Label: label, Empty: emptyText(p, media, "No clips here yet.")}
	for _, m := range mediaTabs {
		tv.Filters = append(tv.Filters, templates.Tab{Label: m.label, URL: at(m.value, ""), Current: m.value == media})
	}
	for _, v := range vs {
		tile, _ := h.tiles.Of(v, func(v *model.Video) (templ.Component, error) { return renderTile(ctx, v), nil })
		tv.Tiles = append(tv.Tiles, tile)
	}
	if len(vs) == videos.DefaultTimelineLimit {
		tv.OlderURL = at(media, vs[len(vs)-1].ID)
	}
	return tv
}

// renderTile renders a clip's tile once, to be copied into every timeline
// page that lists it until the clip or its author changes.
func renderTile(ctx context.Context, v *model.Video) templ.Component {
	var b strings.Builder
	tile := templates.Tile(videoView(v))
	if err := tile.Render(ctx, &b); err != nil {
		return tile
	}
	return templ.Raw(b.String())
}

// emptyText is what an empty timeline says: unfiltered, what is given;
// filtered, which clips there are none of.
func emptyText(p templates.Page, media, unfiltered string) string {
	switch {
	case media == store.MediaAI && p.AIFree:
		return "This instance is AI-free: it shows no AI-generated or AI-edited clips."
	case media == store.MediaAll:
		return unfiltered
	}
	for _, m := range mediaTabs {
		if m.value == media {
			return "No " + m.only + " clips here yet."
		}
	}
	return unfiltered
}

// feedLinks offers the Atom and RSS feeds at base (".atom"/".rss" appended)
// for a filter.
func feedLinks(title, base, media string) []templates.FeedLink {
	if media != store.MediaAll {
		title += ", " + media + " only"
	}
	return []templates.FeedLink{
		{Title: title + " (Atom)", Type: feeds.AtomType, URL: link(base+".atom", "media", filterParam(media))},
		{Title: title + " (RSS)", Type: feeds.RSSType, URL: link(base+".rss", "media", filterParam(media))},
	}
}

// filterParam leaves ?media= out of addresses for the default, all.
func filterParam(media string) string {
	if media == store.MediaAll {
		return ""
	}
	return media
}

// toLogin sends a logged-out visitor to the login form, and back here after.
func toLogin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, link("/login", "next", r.URL.RequestURI()), http.StatusSeeOther)
}

// home is the front page: the home timeline for a logged-in viewer, else the
// local one; ?timeline= picks another, ?media= filters it.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	viewer := auth.User(r.Context())
	kind := r.URL.Query().Get("timeline")
	if kind == "" {
		kind = store.TimelineLocal
		if viewer != nil {
			kind = store.TimelineHome
		}
	}
	switch kind {
	case store.TimelineHome:
		if viewer == nil {
			toLogin(w, r)
			return
		}
	case store.TimelineLocal, store.TimelineFederated:
	default:
		h.errorPage(w, r, apperr.BadRequest("There is no such timeline: choose home, local or federated."))
		return
	}
	media, err := mediaFilter(r, viewer)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	vs, err := h.Videos.Timeline(r.Context(), viewer, store.TimelineQuery{Kind: kind, Media: media, MaxID: r.URL.Query().Get("max_id")})
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	p := h.page(w, r, "")
	h.homePreview(&p)
	if kind != store.TimelineHome {
		p.Feeds = feedLinks(timelineNames[kind]+" clips on "+p.InstanceName, "/feeds/"+kind, media)
	}
	at := func(kind string) func(media, maxID string) string {
		return func(media, maxID string) string {
			return link("/", "timeline", kind, "media", media, "max_id", maxID)
		}
	}
	tv := h.timelineView(r.Context(), p, timelineNames[kind]+" clips", media, vs, at(kind))
	for _, k := range []string{store.TimelineHome, store.TimelineLocal, store.TimelineFederated} {
		if k == store.TimelineHome && viewer == nil {
			continue
		}
		tv.Timelines = append(tv.Timelines, templates.Tab{Label: timelineNames[k], URL: at(k)(media, ""), Current: k == kind})
	}
	if kind == store.TimelineHome {
		tv.Empty = emptyText(p, media, "Nothing here yet: your clips and those of the people you follow show up here.")
	}
	h.render(w, r, http.StatusOK, templates.Home(p, templates.HomeView{Timeline: tv}))
}

// profile is a local person's page with their clips: /@NAME.
func (h *Handler) profile(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.PathValue("handle"), "@")
	if !ok || name == "" {
		h.NotFound(w, r)
		return
	}
	if strings.Contains(name, "@") { // someone on another server: /@NAME@DOMAIN
		h.remoteProfile(w, r, name)
		return
	}
	acct, err := h.Accounts.LocalAccount(r.Context(), name)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	viewer := auth.User(r.Context())
	media, err := mediaFilter(r, viewer)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	vs, err := h.Videos.Timeline(r.Context(), viewer, store.TimelineQuery{
		Kind: store.TimelineAccount, AccountID: acct.ID, Media: media, MaxID: r.URL.Query().Get("max_id"),
	})
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	display := acct.DisplayName
	if display == "" {
		display = acct.Username
	}
	p := h.page(w, r, display)
	h.profilePreview(&p, acct, display)
	p.Feeds = feedLinks("Clips by "+display, "/feeds/accounts/"+acct.Username, media)
	path := "/@" + acct.Username
	pv := templates.ProfileView{
		DisplayName: display, Handle: "@" + acct.Username + "@" + h.PublicURL.Host, Summary: ap.StripTags(acct.Summary),
		AvatarURL: acct.IconURL, Follow: h.followView(r, viewer, acct),
		Timeline: h.timelineView(r.Context(), p, "Clips by "+display, media, vs, func(media, maxID string) string {
			return link(path, "media", media, "max_id", maxID)
		}),
	}
	h.render(w, r, http.StatusOK, templates.Profile(p, pv))
}

// tag is the page of a hashtag: /tags/NAME.
func (h *Handler) tag(w http.ResponseWriter, r *http.Request) {
	name, ok := videos.TagName(r.PathValue("tag"))
	if !ok {
		h.errorPage(w, r, apperr.NotFound("That is not a hashtag."))
		return
	}
	viewer := auth.User(r.Context())
	media, err := mediaFilter(r, viewer)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	vs, err := h.Videos.Timeline(r.Context(), viewer, store.TimelineQuery{
		Kind: store.TimelineTag, Tag: name, Media: media, MaxID: r.URL.Query().Get("max_id"),
	})
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	p := h.page(w, r, "#"+name)
	p.Feeds = feedLinks("Clips tagged #"+name, "/feeds/tags/"+url.PathEscape(name), media)
	path := "/tags/" + url.PathEscape(name)
	tv := templates.TagView{Tag: name, Timeline: h.timelineView(r.Context(), p, "Clips tagged #"+name, media, vs, func(media, maxID string) string {
		return link(path, "media", media, "max_id", maxID)
	})}
	h.render(w, r, http.StatusOK, templates.Tag(p, tv))
}

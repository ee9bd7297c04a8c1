package web

import (
	"cmp"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/videos"
	"github.com/assay-social/assay/templates"
)

// Link previews: what a link to a page of this instance unfolds into when it
// is pasted into Mastodon, a chat or a blog. OpenGraph and Twitter-card tags
// in the page's head, and oEmbed for sites that embed the player. A labelled
// clip's preview carries its label in the words, so it never reads as human.

// absolute is path on this instance as the world reaches it.
func (h *Handler) absolute(path string) string {
	return strings.TrimSuffix(h.PublicURL.String(), "/") + path
}

// playable is the file a player shows: the first video file that is not a
// thumbnail, or nil.
func playable(v *model.Video) *model.MediaFile {
	for _, m := range v.Media {
		if m.Role != model.MediaThumbnail && strings.HasPrefix(m.MimeType, "video/") {
			return m
		}
	}
	return nil
}

// thumbnail is the clip's still image, or nil.
func thumbnail(v *model.Video) *model.MediaFile {
	for _, m := range v.Media {
		if m.Role == model.MediaThumbnail {
			return m
		}
	}
	return nil
}

// previewText is a clip's description for a preview: its label line first
// for a labelled clip, then the description as plain text, cut to a length
// previews show.
func previewText(v *model.Video) string {
	desc := v.Description
	if !v.Local {
		desc = ap.StripTags(desc)
	}
	desc = strings.Join(strings.Fields(desc), " ")
	if label := videos.LabelLine(v); label != "" {
		desc = strings.TrimSpace("🤖 " + label + ". " + desc)
	}
	const limit = 300
	if utf8.RuneCountInString(desc) > limit {
		desc = string([]rune(desc)[:limit-1]) + "…"
	}
	return desc
}

// watchPreview puts a clip's OpenGraph and Twitter-card tags and its oEmbed
// link on its watch page.
func (h *Handler) watchPreview(p *templates.Page, v *model.Video) {
	page := h.absolute("/videos/" + v.ID)
	desc := previewText(v)
	if desc == "" {
		desc = "A clip by " + videoView(v).Author + " on " + p.InstanceName + "."
	}
	p.OEmbedURL = link(h.absolute("/oembed"), "url", page, "format", "json")
	p.Meta = append(p.Meta,
		templates.Meta{Property: "og:type", Content: "video.other"},
		templates.Meta{Property: "og:site_name", Content: p.InstanceName},
		templates.Meta{Property: "og:title", Content: v.Title},
		templates.Meta{Property: "og:description", Content: desc},
		templates.Meta{Property: "og:url", Content: page},
	)
	if t := thumbnail(v); t != nil {
		p.Meta = append(p.Meta,
			templates.Meta{Property: "og:image", Content: t.URL},
			templates.Meta{Property: "og:image:type", Content: t.MimeType},
			templates.Meta{Property: "og:image:width", Content: strconv.Itoa(t.Width)},
			templates.Meta{Property: "og:image:height", Content: strconv.Itoa(t.Height)},
			templates.Meta{Property: "og:image:alt", Content: videoView(v).ThumbAlt},
		)
	} else if v.ThumbnailURL != "" {
		p.Meta = append(p.Meta, templates.Meta{Property: "og:image", Content: v.ThumbnailURL})
	}
	m := playable(v)
	if m != nil {
		p.Meta = append(p.Meta, templates.Meta{Property: "og:video", Content: m.URL})
		if strings.HasPrefix(m.URL, "https://") {
			p.Meta = append(p.Meta, templates.Meta{Property: "og:video:secure_url", Content: m.URL})
		}
		p.Meta = append(p.Meta,
			templates.Meta{Property: "og:video:type", Content: m.MimeType},
			templates.Meta{Property: "og:video:width", Content: strconv.Itoa(m.Width)},
			templates.Meta{Property: "og:video:height", Content: strconv.Itoa(m.Height)},
		)
	}
	// A player card needs an https page to frame; otherwise a large image.
	if m != nil && h.PublicURL.Scheme == "https" {
		w, ht := embedSize(m, 0, 0)
		p.Meta = append(p.Meta,
			templates.Meta{Name: "twitter:card", Content: "player"},
			templates.Meta{Name: "twitter:player", Content: h.absolute("/videos/" + v.ID + "/embed")},
			templates.Meta{Name: "twitter:player:width", Content: strconv.Itoa(w)},
			templates.Meta{Name: "twitter:player:height", Content: strconv.Itoa(ht)},
		)
	} else {
		p.Meta = append(p.Meta, templates.Meta{Name: "twitter:card", Content: "summary_large_image"})
	}
	p.Meta = append(p.Meta,
		templates.Meta{Name: "twitter:title", Content: v.Title},
		templates.Meta{Name: "twitter:description", Content: desc},
	)
	if v.ThumbnailURL != "" {
		p.Meta = append(p.Meta, templates.Meta{Name: "twitter:image", Content: v.ThumbnailURL})
	}
}

// profilePreview is the preview of a person's page.
func (h *Handler) profilePreview(p *templates.Page, acct *model.Account, display string) {
	desc := strings.Join(strings.Fields(ap.StripTags(acct.Summary)), " ")
	if desc == "" {
		desc = "Clips by " + display + " on " + p.InstanceName + "."
	}
	p.Meta = append(p.Meta,
		templates.Meta{Property: "og:type", Content: "profile"},
		templates.Meta{Property: "og:site_name", Content: p.InstanceName},
		templates.Meta{Property: "og:title", Content: display},
		templates.Meta{Property: "og:description", Content: desc},
		templates.Meta{Property: "og:url", Content: h.absolute("/@" + acct.Username)},
		templates.Meta{Property: "profile:username", Content: acct.Username},
	)
	if acct.IconURL != "" {
		p.Meta = append(p.Meta, templates.Meta{Property: "og:image", Content: acct.IconURL})
	}
	p.Meta = append(p.Meta, templates.Meta{Name: "twitter:card", Content: "summary"})
}

// homePreview is the preview of the front page.
func (h *Handler) homePreview(p *templates.Page) {
	p.Meta = append(p.Meta,
		templates.Meta{Property: "og:type", Content: "website"},
		templates.Meta{Property: "og:site_name", Content: p.InstanceName},
		templates.Meta{Property: "og:title", Content: p.InstanceName},
		templates.Meta{Property: "og:description", Content: "Short videos made by people and by AI models, every AI clip labelled."},
		templates.Meta{Property: "og:url", Content: h.absolute("/")},
		templates.Meta{Name: "twitter:card", Content: "summary"},
	)
}

// embedSize is the frame a player of m takes: the file's own size, scaled
// down (keeping its shape) to fit maxWidth and maxHeight where they are set.
func embedSize(m *model.MediaFile, maxWidth, maxHeight int) (int, int) {
	w, h := m.Width, m.Height
	if w <= 0 || h <= 0 {
		w, h = 720, 1280 // unknown: the vertical shape most clips have
	}
	if maxWidth > 0 && w > maxWidth {
		w, h = maxWidth, max(1, h*maxWidth/w)
	}
	if maxHeight > 0 && h > maxHeight {
		w, h = max(1, w*maxHeight/h), maxHeight
	}
	return w, h
}

// embedCode is the <iframe> that shows the clip's embed page elsewhere. Its
// title names the label, so a screen reader announces it before the player.
func (h *Handler) embedCode(v *model.Video, width, height int) string {
	title := v.Title
	if kind := videos.LabelKind(v); kind != "" {
		title += " (" + kind + " video)"
	}
	return fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" style="border:0" allow="fullscreen; picture-in-picture" allowfullscreen loading="lazy"></iframe>`,
		html.EscapeString(h.absolute("/videos/"+v.ID+"/embed")), width, height, html.EscapeString(title))
}

// oembedResponse is an oEmbed 1.0 "video" answer (https://oembed.com/).
type oembedResponse struct {
	Version         string `json:"version"`
	Type            string `json:"type"`
	Title           string `json:"title"`
	AuthorName      string `json:"author_name,omitempty"`
	AuthorURL       string `json:"author_url,omitempty"`
	ProviderName    string `json:"provider_name"`
	ProviderURL     string `json:"provider_url"`
	HTML            string `json:"html"`
	Width           int    `json:"width"`
	Height          int    `json:"height"`
	ThumbnailURL    string `json:"thumbnail_url,omitempty"`
	ThumbnailWidth  int    `json:"thumbnail_width,omitempty"`
	ThumbnailHeight int    `json:"thumbnail_height,omitempty"`
}

// oembed answers GET /oembed?url=WATCH_PAGE&format=json for a clip on this
// instance, as a logged-out visitor would see it.
func (h *Handler) oembed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		httpx.JSON(w, http.StatusNotImplemented, map[string]string{"error": "only format=json is offered"})
		return
	}
	maxWidth, errW := optionalSize(q.Get("maxwidth"))
	maxHeight, errH := optionalSize(q.Get("maxheight"))
	if errW != nil || errH != nil {
		httpx.JSONError(w, r, apperr.BadRequest("maxwidth and maxheight must be positive whole numbers of pixels"))
		return
	}
	raw := q.Get("url")
	if raw == "" {
		httpx.JSONError(w, r, apperr.BadRequest("url is required: the address of a clip on this instance"))
		return
	}
	id, ok := h.watchPageID(raw)
	if !ok {
		httpx.JSONError(w, r, apperr.NotFound("that address is not a clip on this instance"))
		return
	}
	v, err := h.Videos.Get(r.Context(), nil, id)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	m := playable(v)
	if m == nil {
		httpx.JSONError(w, r, apperr.NotFound("that clip has no playable file"))
		return
	}
	width, height := embedSize(m, maxWidth, maxHeight)
	inst := "Assay"
	if i, err := h.Instance.Get(r.Context()); err == nil {
		inst = i.Name
	}
	out := oembedResponse{
		Version: "1.0", Type: "video", Title: v.Title,
		ProviderName: inst, ProviderURL: h.absolute("/"),
		HTML: h.embedCode(v, width, height), Width: width, Height: height,
		ThumbnailURL: v.ThumbnailURL,
	}
	if t := thumbnail(v); t != nil {
		out.ThumbnailWidth, out.ThumbnailHeight = t.Width, t.Height
	}
	if a := v.Account; a != nil {
		out.AuthorName, out.AuthorURL = cmp.Or(a.DisplayName, a.Username), a.URL
	}
	w.Header().Set("Access-Control-Allow-Origin", "*") // public data, read by pages' scripts too
	httpx.JSON(w, http.StatusOK, out)
}

// optionalSize reads maxwidth/maxheight: "" is no limit.
func optionalSize(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("not a size: %q", s)
	}
	return n, nil
}

// watchPageID is the clip id of a watch or embed page address on this
// instance; ok is false for any other address.
func (h *Handler) watchPageID(raw string) (id string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Scheme, h.PublicURL.Scheme) || !strings.EqualFold(u.Host, h.PublicURL.Host) {
		return "", false
	}
	rest, ok := strings.CutPrefix(u.Path, "/videos/")
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, "/embed")
	if rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	return rest, true
}

package web

import (
	"net/http"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/templates"
)

// embedRoutes registers the embeddable player and its oEmbed description.
func (h *Handler) embedRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /videos/{id}/embed", h.embed)
	mux.HandleFunc("GET /oembed", h.oembed)
}

// shareWidth is the width of the frame the watch page's embed code offers: a
// phone-sized column, which is how vertical clips are made to be seen.
const shareWidth = 360

// embed is the player alone, for other sites' <iframe>s. Unlike every other
// page it may be framed by anyone, its error pages too.
func (h *Handler) embed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", h.contentSecurityPolicy("*"))
	v, err := h.Videos.Get(r.Context(), auth.From(r.Context()).User, r.PathValue("id"))
	if err == nil && (v.State != model.VideoReady || playable(v) == nil) {
		err = apperr.NotFound("This clip cannot be played yet.")
	}
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	name := "Assay"
	if inst, err := h.Instance.Get(r.Context()); err == nil {
		name = inst.Name
	}
	h.render(w, r, http.StatusOK, templates.Embed(templates.EmbedView{
		Video: videoView(v), PageURL: h.absolute("/videos/" + v.ID), InstanceName: name, CSSURL: h.Assets.URL("style.css"),
	}))
}

// share fills in what the watch page's share section offers: the page's
// address and the code that embeds its player.
func (h *Handler) share(vv *templates.VideoView, v *model.Video) {
	vv.PageURL = h.absolute("/videos/" + v.ID)
	if m := playable(v); m != nil {
		w, ht := embedSize(m, shareWidth, 0)
		vv.EmbedCode = h.embedCode(v, w, ht)
	}
}

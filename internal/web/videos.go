package web

import (
	"net/http"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/videos"
	"github.com/assay-social/assay/templates"
)

func videoView(v *model.Video) templates.VideoView {
	out := templates.VideoView{
		ID: v.ID, Title: v.Title, URL: "/videos/" + v.ID, PosterURL: v.ThumbnailURL, Synthetic: v.Synthetic,
		Likes: v.LikesCount, Boosts: v.BoostsCount, Comments: v.CommentsCount,
		ThumbAlt: "Still from " + v.Title, Prompt: v.Prompt,
	}
	if v.Synthetic && v.Local {
		out.LabelDetail = v.LabelDetail
	}
	if v.Local {
		out.Description = v.Description
	} else {
		out.Description = ap.StripTags(v.Description)
	}
	if kind := videos.LabelKind(v); kind != "" {
		out.LabelText = kind
		if origin := videos.LabelOrigin(v); origin != "" {
			out.LabelText += " · " + origin
		}
		out.ThumbAlt += " (" + kind + " clip)"
	}
	if a := v.Account; a != nil {
		out.Author, out.AuthorURL, out.AuthorHandle = a.DisplayName, profileLink(a), "@"+a.Username
		if !a.IsLocal() {
			out.AuthorHandle += "@" + a.Domain
		}
		if out.Author == "" {
			out.Author = a.Username
		}
	}
	if m := playable(v); m != nil {
		out.MediaURL, out.MimeType = m.URL, m.MimeType
	}
	return out
}

// Watch is the page of one video.
func (h *Handler) Watch(w http.ResponseWriter, r *http.Request) {
	v, err := h.Videos.Get(r.Context(), auth.From(r.Context()).User, r.PathValue("id"))
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	switch v.State { // only its author sees a clip before it is ready
	case model.VideoProcessing:
		h.errorPage(w, r, apperr.New(http.StatusAccepted, "This clip is still being processed. Reload this page in a few seconds to watch it."))
		return
	case model.VideoFailed:
		h.errorPage(w, r, apperr.Unprocessable("This clip could not be processed: "+v.FailureReason))
		return
	}
	p, vv := h.page(w, r, v.Title), videoView(v)
	h.watchPreview(&p, v)
	h.share(&vv, v)
	if err := h.watchSocial(r, v, &vv); err != nil {
		h.errorPage(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, templates.Watch(p, vv))
}

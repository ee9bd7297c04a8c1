package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/templates"
)

// labelSources explains where a label came from, in a person's words.
var labelSources = map[string]string{
	model.LabelGenerated: "generated on this server",
	model.LabelDetected:  "detected in the file's provenance data",
	model.LabelDeclared:  "declared by the uploader",
	model.LabelRemote:    "labelled by its home server",
}

func videoView(v *model.Video) templates.VideoView {
	out := templates.VideoView{
		ID: v.ID, Title: v.Title, URL: "/videos/" + v.ID, PosterURL: v.ThumbnailURL, Synthetic: v.Synthetic,
		Likes: v.LikesCount, Boosts: v.BoostsCount, Comments: v.CommentsCount,
	}
	if v.Local {
		out.Description = v.Description
	} else {
		out.Description = ap.StripTags(v.Description)
	}
	if v.Synthetic {
		out.LabelText = "AI-generated"
		if src := labelSources[v.LabelSource]; src != "" {
			out.LabelText += " · " + src
		}
	}
	if a := v.Account; a != nil {
		out.Author, out.AuthorURL, out.AuthorHandle = a.DisplayName, a.URL, "@"+a.Username
		if !a.IsLocal() {
			out.AuthorHandle += "@" + a.Domain
		}
		if out.Author == "" {
			out.Author = a.Username
		}
	}
	for _, m := range v.Media {
		if m.Role != model.MediaThumbnail && strings.HasPrefix(m.MimeType, "video/") {
			out.MediaURL, out.MimeType = m.URL, m.MimeType
			break
		}
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
	if v.State != model.VideoReady {
		h.errorPage(w, r, apperr.NotFound("This clip is not ready yet."))
		return
	}
	h.render(w, r, http.StatusOK, templates.Watch(h.page(w, r, v.Title), videoView(v)))
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.PathValue("handle"), "@")
	if !ok || name == "" {
		h.NotFound(w, r)
		return
	}
	acct, err := h.Store.AccountByName(r.Context(), strings.ToLower(name), "")
	if errors.Is(err, store.ErrNotFound) || (err == nil && acct.Username == "actor") {
		h.errorPage(w, r, apperr.NotFound("There is no one by that name here."))
		return
	}
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	vs, err := h.Videos.Timeline(r.Context(), nil, store.TimelineQuery{Kind: store.TimelineAccount, AccountID: acct.ID})
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	pv := templates.ProfileView{DisplayName: acct.DisplayName, Handle: "@" + acct.Username + "@" + r.Host, Summary: ap.StripTags(acct.Summary)}
	for _, v := range vs {
		pv.Videos = append(pv.Videos, videoView(v))
	}
	h.render(w, r, http.StatusOK, templates.Profile(h.page(w, r, pv.DisplayName), pv))
}

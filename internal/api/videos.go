package api

import (
	"net/http"
	"strconv"

	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/videos"
)

func (h *Handler) videoRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/videos", h.user(h.upload))
	mux.HandleFunc("GET /api/v1/videos/{id}", h.getVideo)
	mux.HandleFunc("PATCH /api/v1/videos/{id}", h.user(h.patchVideo))
	mux.HandleFunc("DELETE /api/v1/videos/{id}", h.user(h.deleteVideo))
	mux.HandleFunc("POST /api/v1/videos/{id}/like", h.user(h.react(model.ReactionLike, true)))
	mux.HandleFunc("POST /api/v1/videos/{id}/unlike", h.user(h.react(model.ReactionLike, false)))
	mux.HandleFunc("POST /api/v1/videos/{id}/boost", h.user(h.react(model.ReactionBoost, true)))
	mux.HandleFunc("POST /api/v1/videos/{id}/unboost", h.user(h.react(model.ReactionBoost, false)))
	mux.HandleFunc("GET /api/v1/videos/{id}/comments", h.listComments)
	mux.HandleFunc("POST /api/v1/videos/{id}/comments", h.user(h.postComment))
	mux.HandleFunc("GET /api/v1/timelines/tag/{tag}", h.timeline(store.TimelineTag))
	for _, kind := range []string{store.TimelineHome, store.TimelineLocal, store.TimelineFederated} {
		mux.HandleFunc("GET /api/v1/timelines/"+kind, h.timeline(kind))
	}
}

func (h *Handler) getVideo(w http.ResponseWriter, r *http.Request) {
	v, err := h.Videos.Get(r.Context(), auth.From(r.Context()).User, r.PathValue("id"))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, videoView(v))
}

type videoPatch struct {
	Title       *string `json:"title"`
	Description *string `json:"description"`
}

func (h *Handler) patchVideo(w http.ResponseWriter, r *http.Request, user *model.User) {
	var in videoPatch
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	v, err := h.Videos.Update(r.Context(), user, r.PathValue("id"), videos.Edit{Title: in.Title, Description: in.Description})
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, videoView(v))
}

func (h *Handler) deleteVideo(w http.ResponseWriter, r *http.Request, user *model.User) {
	if err := h.Videos.Delete(r.Context(), user, r.PathValue("id")); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) react(kind string, add bool) func(http.ResponseWriter, *http.Request, *model.User) {
	return func(w http.ResponseWriter, r *http.Request, user *model.User) {
		change := h.Federation.React
		if !add {
			change = h.Federation.Unreact
		}
		v, err := change(r.Context(), user.Account, r.PathValue("id"), kind)
		if err != nil {
			httpx.JSONError(w, r, err)
			return
		}
		httpx.JSON(w, http.StatusOK, videoView(v))
	}
}

func (h *Handler) listComments(w http.ResponseWriter, r *http.Request) {
	v, err := h.Videos.Get(r.Context(), auth.From(r.Context()).User, r.PathValue("id"))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	cs, err := h.Store.Comments(r.Context(), v.ID, 200)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	out := make([]commentJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, commentView(c))
	}
	httpx.JSON(w, http.StatusOK, out)
}

type commentIn struct {
	Text string `json:"text"`
}

func (h *Handler) postComment(w http.ResponseWriter, r *http.Request, user *model.User) {
	var in commentIn
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	c, err := h.Federation.Comment(r.Context(), user.Account, r.PathValue("id"), in.Text)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, commentView(c))
}

// timeline serves a timeline page: ?media=all|human|ai&limit=&max_id=.
func (h *Handler) timeline(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		vs, err := h.Videos.Timeline(r.Context(), auth.User(r.Context()), store.TimelineQuery{
			Kind: kind, Tag: r.PathValue("tag"), Media: q.Get("media"), MaxID: q.Get("max_id"), Limit: limit,
		})
		if err != nil {
			httpx.JSONError(w, r, err)
			return
		}
		body, err := h.encoded.page(vs)
		if err != nil {
			httpx.JSONError(w, r, err)
			return
		}
		httpx.EncodedJSON(w, http.StatusOK, body)
	}
}

package api

import (
	"net/http"

	"github.com/assay-social/assay/internal/generate"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
)

func (h *Handler) generationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/generations", h.user(h.postGeneration))
	mux.HandleFunc("GET /api/v1/generations/{id}", h.user(h.getGeneration))
	mux.HandleFunc("POST /api/v1/generations/{id}/cancel", h.user(h.cancelGeneration))
}

type generationRequest struct {
	Prompt          string `json:"prompt"`
	DurationSeconds int    `json:"duration_seconds"`
	Aspect          string `json:"aspect"`
	Title           string `json:"title"`
	ShowPrompt      bool   `json:"show_prompt"`
}

type generationJSON struct {
	ID       string  `json:"id"`
	State    string  `json:"state"`
	Progress int     `json:"progress"`
	VideoID  *string `json:"video_id,omitempty"`
	Error    *string `json:"error,omitempty"`
	Backend  string  `json:"backend"`
	Model    string  `json:"model"`
}

func generationView(g *model.Generation) generationJSON {
	return generationJSON{ID: g.ID, State: g.State, Progress: g.Progress, VideoID: orNull(g.VideoID), Error: orNull(g.Error),
		Backend: g.Backend, Model: g.Model}
}

func (h *Handler) postGeneration(w http.ResponseWriter, r *http.Request, user *model.User) {
	var in generationRequest
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	g, err := h.Generations.Request(r.Context(), user, generate.Ask{
		Prompt: in.Prompt, Seconds: in.DurationSeconds, Aspect: in.Aspect, Title: in.Title, ShowPrompt: in.ShowPrompt,
	})
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusAccepted, generationView(g))
}

func (h *Handler) getGeneration(w http.ResponseWriter, r *http.Request, user *model.User) {
	g, err := h.Generations.Get(r.Context(), user, r.PathValue("id"))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, generationView(g))
}

func (h *Handler) cancelGeneration(w http.ResponseWriter, r *http.Request, user *model.User) {
	g, err := h.Generations.Cancel(r.Context(), user, r.PathValue("id"))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, generationView(g))
}

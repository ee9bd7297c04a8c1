package web

import (
	"net/http"
	"strconv"

	"github.com/assay-social/assay/internal/api"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/generate"
	"github.com/assay-social/assay/templates"
)

// createRoutes registers the pages where clips are made: upload and generate.
func (h *Handler) createRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /upload", h.uploadForm)
	mux.HandleFunc("POST /upload", h.upload)
	mux.HandleFunc("GET /generate", h.generateForm)
	mux.HandleFunc("POST /generate", h.form(h.generate))
	mux.HandleFunc("GET /generate/{id}", h.generation)
}

func (h *Handler) uploadForm(w http.ResponseWriter, r *http.Request) {
	if auth.User(r.Context()) == nil {
		toLogin(w, r)
		return
	}
	h.render(w, r, http.StatusOK, templates.Upload(h.page(w, r, "Upload"), templates.UploadView{
		MaxMB: h.Videos.MaxUploadBytes() >> 20, ScriptURL: h.Assets.URL("upload.js"),
	}))
}

// upload takes the form as a stream: its CSRF token is the first field, so
// it is checked before any byte of the file is stored.
func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	checked := false
	v, err := api.ReceiveUpload(w, r, h.Videos, user, func(name, value string) error {
		if name == auth.CSRFField {
			checked = h.Auth.CheckCSRFValue(r, value)
		}
		if !checked {
			return apperr.Forbidden("This form has expired or did not come from this site. Go back, reload the page and try again.")
		}
		return nil
	})
	if err == nil && !checked {
		err = apperr.Forbidden("This form has expired or did not come from this site. Go back, reload the page and try again.")
	}
	if err != nil {
		status, public := apperr.From(err)
		if status >= 500 {
			h.errorPage(w, r, err)
			return
		}
		h.render(w, r, status, templates.Upload(h.page(w, r, "Upload"), templates.UploadView{
			MaxMB: h.Videos.MaxUploadBytes() >> 20, Error: public, ScriptURL: h.Assets.URL("upload.js"),
		}))
		return
	}
	http.Redirect(w, r, "/videos/"+v.ID, http.StatusSeeOther)
}

func (h *Handler) generateForm(w http.ResponseWriter, r *http.Request) {
	if auth.User(r.Context()) == nil {
		toLogin(w, r)
		return
	}
	if inst, err := h.Instance.Get(r.Context()); err == nil && inst.AIFree {
		h.render(w, r, http.StatusForbidden, templates.Generate(h.page(w, r, "Generate"),
			h.generateView("This instance is AI-free: its admin has chosen that it generates no clips and takes none labelled as AI.")))
		return
	}
	h.render(w, r, http.StatusOK, templates.Generate(h.page(w, r, "Generate"), h.generateView("")))
}

func (h *Handler) generateView(errMsg string) templates.GenerateView {
	b := h.Generations.Backend()
	return templates.GenerateView{Backend: b.Name(), Model: b.Model(), Error: errMsg, Aspects: []string{"9:16", "16:9", "1:1"}}
}

func (h *Handler) generate(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	seconds, _ := strconv.Atoi(r.PostFormValue("duration_seconds"))
	g, err := h.Generations.Request(r.Context(), user, generate.Ask{
		Prompt: r.PostFormValue("prompt"), Seconds: seconds, Aspect: r.PostFormValue("aspect"),
		Title: r.PostFormValue("title"), ShowPrompt: r.PostFormValue("show_prompt") == "on",
	})
	if err != nil {
		status, public := apperr.From(err)
		if status >= 500 {
			h.errorPage(w, r, err)
			return
		}
		h.render(w, r, status, templates.Generate(h.page(w, r, "Generate"), h.generateView(public)))
		return
	}
	http.Redirect(w, r, "/generate/"+g.ID, http.StatusSeeOther)
}

// generation shows one generation's progress; without JavaScript the page
// refreshes itself until it is done, with it a small script polls the API.
func (h *Handler) generation(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	g, err := h.Generations.Get(r.Context(), user, r.PathValue("id"))
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, templates.GenerationProgress(h.page(w, r, "Generating"), templates.GenerationView{
		ID: g.ID, State: g.State, Progress: g.Progress, Error: g.Error, VideoID: g.VideoID, Prompt: g.Prompt, Done: g.Done(),
		ScriptURL: h.Assets.URL("generate.js"),
	}))
}

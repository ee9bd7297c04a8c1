// Package api serves the JSON API under /api/v1. Handlers decode, call a
// domain package and encode; errors arrive with their status (apperr).
package api

import (
	_ "embed"
	"net/http"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/generate"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/videos"
)

//go:embed openapi.json
var openAPI []byte

// maxJSONBytes bounds request bodies other than uploads.
const maxJSONBytes = 64 << 10

// Handler holds what the API needs.
type Handler struct {
	Accounts    *accounts.Service
	Profiles    *accounts.Profiles
	Instance    *instance.Service
	Videos      *videos.Service
	Federation  *federation.Service
	Store       *store.Store
	Generations *generate.Service
	Auth        *auth.Auth
	Domain      string
	Version     string
	Generator   string

	encoded encodedVideos // timeline pages' videos, as JSON
}

// Routes registers the API on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(openAPI) //nolint:errcheck
	})
	mux.HandleFunc("GET /api/v1/instance", h.getInstance)
	mux.HandleFunc("PATCH /api/v1/instance", h.user(h.patchInstance))
	h.videoRoutes(mux)
	h.socialRoutes(mux)
	h.generationRoutes(mux)
	h.notificationRoutes(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusNotFound, map[string]string{"error": "no such API endpoint"})
	})
}

// user requires an authenticated requester: a bearer token, or a web session
// whose writes carry the CSRF token in the X-CSRF-Token header.
func (h *Handler) user(next func(http.ResponseWriter, *http.Request, *model.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req := auth.From(r.Context())
		if req.User == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="assay"`)
			httpx.JSONError(w, r, apperr.Unauthorized("a valid access token is required"))
			return
		}
		// Only the header: a token in the body would need the body parsed before
		// the handler sets its own limits.
		if req.ViaSession && r.Method != http.MethodGet && r.Method != http.MethodHead && !h.Auth.CheckCSRFValue(r, r.Header.Get(auth.CSRFHeader)) {
			httpx.JSONError(w, r, apperr.Forbidden("missing or invalid CSRF token (send it in the X-CSRF-Token header)"))
			return
		}
		next(w, r, req.User)
	}
}

// Package apub serves the federation routes: WebFinger, host-meta, NodeInfo,
// actors, inboxes, collections and objects. Handlers are thin; the work is
// in internal/federation. Objects are content-negotiated: ActivityPub
// clients get JSON, browsers the HTML page.
package apub

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/httpx"
)

// Handler serves federation routes. HTML is the fallback for browsers on
// routes that are both an object and a page.
type Handler struct {
	Federation *federation.Service
	HTML       http.Handler // renders /videos/{id}, /@{name} and the like for browsers
}

// Routes registers the federation routes on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/webfinger", h.webfinger)
	mux.HandleFunc("GET /.well-known/host-meta", h.hostMeta)
	mux.HandleFunc("GET /.well-known/nodeinfo", h.nodeinfoLinks)
	mux.HandleFunc("GET /nodeinfo/{version}", h.nodeinfo)

	mux.HandleFunc("GET /actor", h.doc(func(r *http.Request) ([]byte, error) {
		return h.Federation.InstanceActorDocument(r.Context())
	}))
	mux.HandleFunc("POST /actor/inbox", h.inbox)
	mux.HandleFunc("POST /inbox", h.inbox)
	mux.HandleFunc("GET /users/{name}", h.negotiate(func(r *http.Request) ([]byte, error) {
		return h.Federation.ActorDocument(r.Context(), r.PathValue("name"))
	}, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/@"+r.PathValue("name"), http.StatusFound)
	}))
	mux.HandleFunc("POST /users/{name}/inbox", h.inbox)
	for _, kind := range []string{federation.CollectionOutbox, federation.CollectionFollowers, federation.CollectionFollowing} {
		mux.HandleFunc("GET /users/{name}/"+kind, h.doc(func(r *http.Request) ([]byte, error) {
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if page < 0 || page > 100000 {
				return nil, apperr.BadRequest("page must be a small positive number")
			}
			return h.Federation.CollectionDocument(r.Context(), r.PathValue("name"), kind, page)
		}))
	}
	mux.HandleFunc("GET /videos/{id}", h.negotiate(func(r *http.Request) ([]byte, error) {
		return h.Federation.VideoDocument(r.Context(), r.PathValue("id"))
	}, h.HTML.ServeHTTP))
	mux.HandleFunc("GET /comments/{id}", h.doc(func(r *http.Request) ([]byte, error) {
		return h.Federation.CommentDocument(r.Context(), r.PathValue("id"))
	}))
	mux.HandleFunc("GET /activities/{id}", h.doc(func(r *http.Request) ([]byte, error) {
		return h.Federation.ActivityDocument(r.Context(), r.PathValue("id"))
	}))
}

// WantsActivityJSON reports whether a client asked for ActivityPub JSON.
func WantsActivityJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/activity+json") || strings.Contains(accept, "application/ld+json")
}

// negotiate serves JSON to ActivityPub clients and html to the rest.
func (h *Handler) negotiate(load func(*http.Request) ([]byte, error), html http.HandlerFunc) http.HandlerFunc {
	serveJSON := h.doc(load)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept")
		if WantsActivityJSON(r) {
			serveJSON(w, r)
			return
		}
		html(w, r)
	}
}

// doc serves an ActivityPub document; signed and unsigned GETs alike get
// public content.
func (h *Handler) doc(load func(*http.Request) ([]byte, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := load(r)
		if err != nil {
			httpx.JSONError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Write(body) //nolint:errcheck
	}
}

// inbox accepts an activity: 202 when it is stored for processing (or is a
// repeat, or a type we ignore), a 4xx with the reason otherwise.
func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) {
	if name := r.PathValue("name"); name != "" {
		if _, err := h.Federation.ActorDocument(r.Context(), name); err != nil {
			httpx.JSONError(w, r, err)
			return
		}
	}
	if !acceptableBody(r.Header.Get("Content-Type")) {
		httpx.JSONError(w, r, apperr.New(http.StatusUnsupportedMediaType,
			`an inbox takes application/activity+json or application/ld+json; profile="https://www.w3.org/ns/activitystreams"`))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, federation.MaxActivityBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpx.JSONError(w, r, apperr.New(http.StatusRequestEntityTooLarge, "an activity may be at most 1 MiB"))
			return
		}
		httpx.JSONError(w, r, apperr.BadRequest("the body could not be read"))
		return
	}
	err = h.Federation.Receive(r.Context(), r, body)
	if err != nil && !errors.Is(err, federation.ErrIgnored) {
		httpx.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func acceptableBody(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json", "application/json":
		return true
	case "application/ld+json":
		p := params["profile"]
		return p == "" || strings.Contains(p, "https://www.w3.org/ns/activitystreams")
	}
	return false
}

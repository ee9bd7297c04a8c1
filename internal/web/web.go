// Package web serves the HTML pages. Handlers are thin: they read the form,
// call a domain package and render a templ view.
package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/a-h/templ"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/generate"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/ratelimit"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/videos"
	"github.com/assay-social/assay/static"
	"github.com/assay-social/assay/templates"
)

// maxFormBytes bounds every form body; uploads have their own route and limit.
const maxFormBytes = 64 << 10

// Handler holds what the pages need.
type Handler struct {
	Accounts    *accounts.Service
	Instance    *instance.Service
	Videos      *videos.Service
	Generations *generate.Service
	Federation  *federation.Service
	Store       *store.Store
	Auth        *auth.Auth
	Logins      *ratelimit.Failures
	Assets      *static.Assets
	Profiles    *accounts.Profiles
	Jobs        *jobs.Queue // for the queue health on /admin

	PublicURL *url.URL // where the world reaches this instance, for feeds and handles

	tiles videos.Rendered[templ.Component] // timeline tiles, as HTML
}

// Routes registers the pages on mux.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("POST /login", h.form(h.login))
	mux.HandleFunc("GET /signup", h.signupForm)
	mux.HandleFunc("POST /signup", h.form(h.signup))
	mux.HandleFunc("GET /logout", h.logoutForm)
	mux.HandleFunc("POST /logout", h.form(h.logout))
	mux.HandleFunc("GET /about", h.about)
	h.timelineRoutes(mux)
	h.settingsRoutes(mux)
	h.createRoutes(mux)
	h.socialRoutes(mux)
	h.notificationRoutes(mux)
	h.embedRoutes(mux)
	mux.Handle("GET /static/", h.Assets)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.Assets.URL("favicon.svg"), http.StatusMovedPermanently)
	})
}

// form wraps a POST handler: bounded body, then a valid CSRF token or 403.
func (h *Handler) form(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			h.errorPage(w, r, apperr.BadRequest("The form could not be read."))
			return
		}
		if !h.Auth.CheckCSRF(r) {
			h.errorPage(w, r, apperr.Forbidden("This form has expired or did not come from this site. Go back, reload the page and try again."))
			return
		}
		next(w, r)
	}
}

// page builds the chrome every view shares.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, title string) templates.Page {
	p := templates.Page{
		Title:  title,
		CSRF:   h.Auth.CSRFToken(w, r),
		CSSURL: h.Assets.URL("style.css"),
	}
	if inst, err := h.Instance.Get(r.Context()); err == nil {
		p.InstanceName, p.AIFree = inst.Name, inst.AIFree
	} else {
		p.InstanceName = "Assay"
	}
	if u := auth.User(r.Context()); u != nil {
		p.Viewer = &templates.Viewer{Username: u.Account.Username, Admin: u.Admin}
		if n, err := h.Store.CountUnreadNotifications(r.Context(), u.AccountID); err == nil {
			p.UnreadNotifications = n
		} else {
			httpx.Logger(r.Context()).Warn("counting unread notifications", "err", err)
		}
	}
	return p
}

// contentSecurityPolicy lets a page load only this site's scripts and styles;
// frameAncestors says which sites may show it in a frame. Pictures and clips
// of other servers, and forms that lead to them (following from another
// server), must be https — unless this instance itself is served over plain
// http (a local test federation), where the other servers are too.
func (h *Handler) contentSecurityPolicy(frameAncestors string) string {
	remote := "https:"
	if h.PublicURL.Scheme == "http" {
		remote = "http: https:"
	}
	return "default-src 'self'; img-src 'self' " + remote + " data:; media-src 'self' " + remote + "; object-src 'none'; frame-ancestors " +
		frameAncestors + "; base-uri 'self'; form-action 'self' " + remote
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	if w.Header().Get("Content-Security-Policy") == "" { // the embed page sets its own, to be framed
		w.Header().Set("Content-Security-Policy", h.contentSecurityPolicy("'none'"))
	}
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		httpx.Logger(r.Context()).Warn("rendering failed", "err", err)
	}
}

// errorPage shows a friendly page; internal errors are logged, not shown.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status, public := apperr.From(err)
	if status >= 500 {
		httpx.Logger(r.Context()).Error("request failed", "err", err)
		public = "Something went wrong on our side. Please try again in a moment."
	}
	h.render(w, r, status, templates.ErrorPage(h.page(w, r, http.StatusText(status)),
		templates.ErrorView{Status: status, Heading: http.StatusText(status), Message: public}))
}

// NotFound is the HTML 404 for unknown paths.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, apperr.NotFound("There is nothing at this address."))
}

// Recovered renders the page for a handler that panicked.
func (h *Handler) Recovered(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, apperr.New(http.StatusInternalServerError, ""))
}

// detached keeps a write going if the browser disconnects mid-request.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

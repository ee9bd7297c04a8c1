package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/assay-social/assay/internal/api"
	"github.com/assay-social/assay/internal/apub"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/web"
)

// routes builds the mux and wraps it in the middleware every request passes:
// request id and logging, metrics, panic recovery, then the requester.
func (a *App) routes(pages *web.Handler, apiHandler *api.Handler, fedHandler *apub.Handler, authn *auth.Auth) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{Registry: a.Metrics}))
	if a.Config.Role.RunsWeb() {
		pages.Routes(mux)
		apiHandler.Routes(mux)
		fedHandler.Routes(mux)
		mux.Handle("GET /media/{key}", a.Media) // and HEAD
		mux.HandleFunc("/", pages.NotFound)
	}
	m := newHTTPMetrics(a.Metrics)
	inner := recordRoute(mux)
	authed := authn.Middleware(inner)
	// Media files are public and immutable: a browser's session cookie on
	// every range request of a playing clip needs no database lookup.
	byPath := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/media/") {
			inner.ServeHTTP(w, r)
			return
		}
		authed.ServeHTTP(w, r)
	})
	return a.observe(m, recoverPanics(pages, byPath))
}

// healthz answers 200 when the database and Redis both answer.
func (a *App) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status := map[string]string{"database": "ok", "redis": "ok"}
	code := http.StatusOK
	// The endpoint is public: say what is down, and keep the driver's words
	// (hosts, user names) for the log.
	if err := a.Store.Ping(ctx); err != nil {
		httpx.Logger(r.Context()).Error("health check: database unavailable", "err", err)
		status["database"], code = "unavailable", http.StatusServiceUnavailable
	}
	if err := a.Redis.Ping(ctx); err != nil {
		httpx.Logger(r.Context()).Error("health check: redis unavailable", "err", err)
		status["redis"], code = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, code, status)
}

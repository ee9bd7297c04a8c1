// Package app assembles an Assay instance from its configuration: database,
// Redis, job queue, domain services and HTTP handlers. cmd/assay and the
// test rig both build instances through it, so tests run the real thing.
package app

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/api"
	"github.com/assay-social/assay/internal/apub"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/generate"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/jobs"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/netguard"
	"github.com/assay-social/assay/internal/ratelimit"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/videos"
	"github.com/assay-social/assay/internal/web"
	"github.com/assay-social/assay/static"
)

// Version is set at link time for releases (-ldflags "-X ...app.Version=v1.2.3").
var Version = "0.1.0-dev"

// Login throttling: this many failures in a row from one address blocks it
// for the window.
const (
	maxFailedLogins   = 20
	failedLoginWindow = 15 * time.Minute
)

// App is one running instance.
type App struct {
	Config      *config.Config
	Log         *slog.Logger
	Store       *store.Store
	Redis       *jobs.Redis
	Jobs        *jobs.Queue
	Accounts    *accounts.Service
	Profiles    *accounts.Profiles
	Instance    *instance.Service
	Federation  *federation.Service
	Videos      *videos.Service
	Generations *generate.Service
	Media       *media.Local
	Client      *netguard.Client
	Metrics     *prometheus.Registry

	handler http.Handler
}

// New opens the database (migrating it), Redis and the job queue, and builds
// the HTTP handler. Close releases what it opened.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (*App, error) {
	a := &App{Config: cfg, Log: log, Metrics: prometheus.NewRegistry()}
	a.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var err error
	if a.Store, err = store.Open(ctx, cfg); err != nil {
		return nil, err
	}
	// Redis is checked before anything is migrated: a wrong ASSAY_REDIS_URL
	// stops the start with the database as it was.
	if a.Redis, err = jobs.OpenRedis(ctx, cfg); err != nil {
		a.Store.Close()
		return nil, err
	}
	closeBoth := func() { a.Redis.Close(); a.Store.Close() }
	if a.Media, err = media.NewLocal(filepath.Join(cfg.DataDir, "media")); err != nil {
		closeBoth()
		return nil, err
	}
	if applied, err := a.Store.Migrate(ctx); err != nil {
		closeBoth()
		return nil, err
	} else if len(applied) > 0 {
		log.Info("database migrated", "applied", applied)
	}
	inst, err := a.Store.Instance(ctx)
	if err != nil {
		closeBoth()
		return nil, fmt.Errorf("reading instance settings: %w", err)
	}
	secret, err := hex.DecodeString(inst.Secret)
	if err != nil || len(secret) < 16 {
		closeBoth()
		return nil, errors.New("the instance secret in the database is damaged")
	}
	a.Jobs = jobs.New(a.Store, a.Redis, jobs.Options{
		Lease: cfg.JobLease, SweepInterval: cfg.SweepInterval, Concurrency: cfg.WorkerConcurrency, RetryBase: cfg.RetryBase,
		Logger: log, Metrics: a.Metrics,
	})
	a.Accounts = accounts.New(a.Store, cfg.PublicURL, cfg.PasswordHashMemoryKiB)
	a.Instance = instance.New(a.Store)
	a.registerAIFreeGauge()
	a.Client = netguard.New(netguard.Options{
		AllowPrivate: cfg.AllowPrivateNetworks,
		UserAgent:    "Assay/" + Version + " (+" + cfg.PublicURL.String() + ")",
	})
	a.Federation = federation.New(a.Store, a.Jobs, a.Client, federation.Options{
		PublicURL: cfg.PublicURL, AllowPrivate: cfg.AllowPrivateNetworks, Version: Version, Logger: log, Metrics: a.Metrics,
		Lookups: ratelimit.NewBudget(a.Redis.Client, a.Redis.Key("lookups")+":", federation.LookupsPerWindow, federation.LookupWindow),
	})
	if _, _, err := a.Federation.InstanceActor(ctx); err != nil {
		a.Close()
		return nil, err
	}
	wasmCache := cfg.WASMCacheDir
	if wasmCache == "" {
		wasmCache = filepath.Join(cfg.DataDir, "wasm-cache")
	}
	ff, err := media.NewFFmpeg(cfg.FFmpeg, wasmCache)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Videos = videos.New(a.Store, a.Federation, &videos.Media{
		FFmpeg: ff, Storage: a.Media, Jobs: a.Jobs, StagingDir: filepath.Join(cfg.DataDir, "uploads"),
		PublicURL: cfg.PublicURL.String(), MaxUploadBytes: cfg.MaxUploadBytes,
		Limits: media.Limits{MaxDuration: cfg.MaxVideoDuration}, Log: log,
	})
	// The generator is the operator's own service, often on their own
	// network (a GPU box running ComfyUI): private addresses are allowed,
	// and the job's context, not a fixed timeout, bounds each call.
	genClient := netguard.New(netguard.Options{AllowPrivate: true, Timeout: -1, UserAgent: "Assay/" + Version})
	backend, err := generate.New(cfg.Generator, generate.Options{
		FFmpeg: ff, URL: cfg.GeneratorURL, APIKey: cfg.GeneratorAPIKey, Model: cfg.GeneratorModel,
		Workflow: cfg.GeneratorWorkflow, Client: genClient, Poll: cfg.GeneratorPoll,
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Generations = generate.NewService(a.Store, a.Jobs, backend, a.Videos, generate.Limits{
		Concurrency: cfg.GenerationConcurrency, DailyQuota: cfg.GenerationDailyQuota,
		Timeout: cfg.GenerationTimeout, MaxSeconds: 20,
	}, log)

	assets, err := static.Load()
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("loading static assets: %w", err)
	}
	authn := auth.New(a.Accounts, secret, cfg.SecureCookies())
	a.Profiles = &accounts.Profiles{
		Store: a.Store, Storage: a.Media, Staging: filepath.Join(cfg.DataDir, "uploads"),
		MediaURL: cfg.PublicURL.String() + "/media/",
		Announce: a.Federation.ProfileUpdated, AcceptPending: a.Federation.AcceptPendingFollowers,
	}
	pages := &web.Handler{
		Profiles: a.Profiles, Jobs: a.Jobs,
		Accounts: a.Accounts, Instance: a.Instance, Videos: a.Videos, Generations: a.Generations, Federation: a.Federation, Store: a.Store, Auth: authn, Assets: assets, PublicURL: cfg.PublicURL,
		Logins: ratelimit.NewFailures(a.Redis.Client, a.Redis.Key("login-failures")+":", maxFailedLogins, failedLoginWindow),
	}
	apiHandler := &api.Handler{
		Instance: a.Instance, Videos: a.Videos, Federation: a.Federation, Store: a.Store, Generations: a.Generations,
		Auth: authn, Domain: cfg.Domain(), Version: Version, Generator: cfg.Generator, Accounts: a.Accounts,
		Profiles: a.Profiles,
	}
	fedHandler := &apub.Handler{Federation: a.Federation, HTML: http.HandlerFunc(pages.Watch)}
	a.handler = a.routes(pages, apiHandler, fedHandler, authn)
	return a, nil
}

// Use puts middleware in front of the whole handler; call it before Run.
func (a *App) Use(m func(http.Handler) http.Handler) { a.handler = m(a.handler) }

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.handler }

// Run serves on ln (when the role serves HTTP) and runs the workers (when
// the role runs them) until ctx ends, then shuts down gracefully.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	if a.Config.Role.RunsWorker() {
		if err := a.Jobs.StartWorker(); err != nil {
			return err
		}
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ConnContext:       media.ConnContext, // lets /media cork the socket like nginx's tcp_nopush (docs/BENCHMARKS.md)
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	a.Log.Info("assay is running", "url", a.Config.PublicURL.String(), "listen", ln.Addr().String(),
		"role", a.Config.Role, "database", a.Store.Dialect(), "redis_embedded", a.Redis.Embedded())

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if e := srv.Shutdown(shutdownCtx); e != nil && err == nil {
		err = e
	}
	a.Log.Info("assay stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the queue, Redis and the database, in that order.
func (a *App) Close() {
	if a.Jobs != nil {
		a.Jobs.Close()
	}
	if a.Redis != nil {
		a.Redis.Close()
	}
	if a.Store != nil {
		a.Store.Close()
	}
}

package testrig

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
)

// Instance is a running Assay instance for a test.
type Instance struct {
	*app.App
	URL  string // where the test reaches it, e.g. http://127.0.0.1:41234 (the public URL, but always plain http)
	t    testing.TB
	stop func()
}

// Option adjusts an instance before it starts.
type Option func(*options)

type options struct {
	host      string
	scheme    string
	log       *slog.Logger
	configure []func(*config.Config)
	beforeRun []func(*app.App)
	wrap      func(http.Handler) http.Handler
}

// Wrap puts middleware in front of the instance's handler: a test can make
// a real instance answer 500 or 410 for a while, or count what arrives.
func Wrap(m func(http.Handler) http.Handler) Option { return func(o *options) { o.wrap = m } }

// CountRequests is an Option that counts the requests the instance gets
// for path, and the count: a test's proof of whether, and how often,
// another server asked.
func CountRequests(path string) (Option, *atomic.Int64) {
	var n atomic.Int64
	return Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == path {
				n.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}), &n
}

// BeforeRun calls f after the instance is built and before it serves or runs
// workers: the place to register extra job kinds.
func BeforeRun(f func(*app.App)) Option {
	return func(o *options) { o.beforeRun = append(o.beforeRun, f) }
}

// OnHost listens on another loopback address (127.0.0.2, …), so several
// instances in one test have distinct domains.
func OnHost(host string) Option { return func(o *options) { o.host = host } }

// PublicScheme gives the instance an https public URL while it still
// listens on plain http, as behind a TLS-terminating proxy.
func PublicScheme(scheme string) Option { return func(o *options) { o.scheme = scheme } }

// WithLogger logs through l instead of the test's log, for tests that read
// what the instance logs.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// Configure changes the configuration before the instance starts.
func Configure(f func(*config.Config)) Option {
	return func(o *options) { o.configure = append(o.configure, f) }
}

// Role runs only the web or only the worker half.
func Role(r config.Role) Option { return Configure(func(c *config.Config) { c.Role = r }) }

// Config returns the configuration a test instance starts from: a fresh
// database and Redis namespace, a temporary data directory, fast sweeps and
// short leases so recovery paths finish in seconds, and cheap password hashing.
func Config(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.FromEnv(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("default config: %v", err)
	}
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = FreshDatabase(t)
	cfg.RedisURL, cfg.RedisNamespace = FreshRedis(t)
	cfg.SweepInterval = 200 * time.Millisecond
	cfg.JobLease = 3 * time.Second
	cfg.RetryBase = 100 * time.Millisecond
	cfg.WorkerConcurrency = 4
	cfg.PasswordHashMemoryKiB = 1024
	cfg.AllowPrivateNetworks = true
	cfg.WASMCacheDir = filepath.Join(os.TempDir(), "assay-test-wasm-cache") // compile the embedded ffmpeg once, not per test
	return cfg
}

// NewInstance starts an instance with Config(t) (adjusted by opts), serving on
// a loopback port, and stops it when the test ends.
func NewInstance(t testing.TB, opts ...Option) *Instance {
	t.Helper()
	return StartInstance(t, Config(t), opts...)
}

// StartInstance starts an instance with a given configuration — the same
// data directory and database twice make a restart.
func StartInstance(t testing.TB, cfg *config.Config, opts ...Option) *Instance {
	t.Helper()
	o := options{host: "127.0.0.1", scheme: "http", log: Logger(t)}
	for _, opt := range opts {
		opt(&o)
	}
	for _, f := range o.configure {
		f(cfg)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, "0"))
	if err != nil {
		t.Fatalf("listening on %s: %v", o.host, err)
	}
	cfg.Listen = ln.Addr().String()
	cfg.PublicURL = &url.URL{Scheme: o.scheme, Host: ln.Addr().String()}

	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, o.log)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("starting instance: %v", err)
	}
	inst := &Instance{App: a, URL: "http://" + cfg.PublicURL.Host, t: t}
	for _, f := range o.beforeRun {
		f(a)
	}
	if o.wrap != nil {
		a.Use(o.wrap)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := a.Run(ctx, ln); err != nil {
			t.Errorf("instance stopped with: %v", err)
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			a.Close()
		})
	}
	t.Cleanup(stop)
	inst.stop = stop
	inst.WaitHealthy()
	return inst
}

// Stop shuts the instance down now (it is also stopped when the test ends).
func (i *Instance) Stop() { i.stop() }

// WaitHealthy waits until /healthz answers 200.
func (i *Instance) WaitHealthy() {
	i.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(i.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	i.t.Fatalf("instance at %s never became healthy", i.URL)
}

// Logger writes the instance's logs into the test's output (shown with -v or
// on failure) and goes quiet once the test has ended.
func Logger(t testing.TB) *slog.Logger {
	w := &testWriter{w: t.Output()}
	t.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct {
	mu   sync.Mutex
	w    io.Writer
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if w.done.Load() {
		return len(p), nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

// Package config turns the process environment into one validated Config.
// Every ASSAY_* variable is read here and nowhere else.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Role says which halves of the server a process runs.
type Role string

const (
	RoleAll    Role = "all"
	RoleWeb    Role = "web"
	RoleWorker Role = "worker"
)

// RunsWeb reports whether this process serves HTTP.
func (r Role) RunsWeb() bool { return r == RoleAll || r == RoleWeb }

// RunsWorker reports whether this process runs job handlers and the sweeper.
func (r Role) RunsWorker() bool { return r == RoleAll || r == RoleWorker }

// Config is the whole runtime configuration. Zero values are never used:
// FromEnv fills defaults before validating.
type Config struct {
	PublicURL             *url.URL
	Listen                string
	DataDir               string
	DatabaseURL           string // empty: SQLite in DataDir
	RedisURL              string // empty: embedded in-process Redis
	RedisNamespace        string // prefix for queue names and keys, so several instances can share one Redis
	Role                  Role
	FFmpeg                string
	WASMCacheDir          string        // compiled embedded ffmpeg; DataDir/wasm-cache unless a test shares one
	MaxUploadBytes        int64         // ASSAY_MAX_UPLOAD_MB
	MaxVideoDuration      time.Duration // ASSAY_MAX_VIDEO_DURATION
	Generator             string
	GeneratorURL          string
	GeneratorAPIKey       string
	GeneratorModel        string
	GeneratorWorkflow     string
	GenerationConcurrency int           // per user (ASSAY_GENERATION_CONCURRENCY)
	GenerationDailyQuota  int           // per user (ASSAY_GENERATION_DAILY_QUOTA)
	GenerationTimeout     time.Duration // ASSAY_GENERATION_TIMEOUT
	GeneratorPoll         time.Duration // between status checks of a remote generator; tests shorten it
	AllowPrivateNetworks  bool
	TrustedProxies        []netip.Prefix // whose X-Forwarded-For is believed (ASSAY_TRUSTED_PROXIES)
	LogFormat             string         // "text" or "json"
	LogLevel              string
	SweepInterval         time.Duration
	JobLease              time.Duration
	RetryBase             time.Duration // first retry delay of failed jobs; doubles up to 6 h
	WorkerConcurrency     int
	PasswordHashMemoryKiB uint32 // argon2id memory; lowered only by tests
}

// Domain is the instance's host (with port when it is not the default), as it
// appears in acct: handles and ActivityPub ids.
func (c *Config) Domain() string { return c.PublicURL.Host }

// SecureCookies reports whether cookies must carry the Secure attribute.
func (c *Config) SecureCookies() bool { return c.PublicURL.Scheme == "https" }

// SQLitePath is where the embedded database lives.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "assay.db") }

// UsesPostgres reports whether the database is PostgreSQL.
func (c *Config) UsesPostgres() bool { return c.DatabaseURL != "" }

// Lookup reads one variable; os.LookupEnv satisfies it.
type Lookup func(key string) (string, bool)

// FromEnv reads and validates the configuration. Its errors name the variable
// at fault so an operator can fix it without reading code.
func FromEnv(lookup Lookup) (*Config, error) {
	get := func(key, def string) string {
		if v, ok := lookup(key); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	c := &Config{
		Listen:            get("ASSAY_LISTEN", "127.0.0.1:8080"),
		DataDir:           get("ASSAY_DATA_DIR", "./data"),
		DatabaseURL:       get("ASSAY_DATABASE_URL", ""),
		RedisURL:          get("ASSAY_REDIS_URL", ""),
		RedisNamespace:    get("ASSAY_REDIS_NAMESPACE", ""),
		Role:              Role(get("ASSAY_ROLE", string(RoleAll))),
		FFmpeg:            get("ASSAY_FFMPEG", "auto"),
		Generator:         get("ASSAY_GENERATOR", "procedural"),
		GeneratorURL:      get("ASSAY_GENERATOR_URL", ""),
		GeneratorAPIKey:   get("ASSAY_GENERATOR_API_KEY", ""),
		GeneratorModel:    get("ASSAY_GENERATOR_MODEL", ""),
		GeneratorWorkflow: get("ASSAY_GENERATOR_WORKFLOW", ""),
		LogFormat:         get("ASSAY_LOG_FORMAT", "text"),
		LogLevel:          get("ASSAY_LOG_LEVEL", "info"),
	}
	var errs []error
	var err error
	if c.PublicURL, err = parsePublicURL(get("ASSAY_PUBLIC_URL", "http://localhost:8080")); err != nil {
		errs = append(errs, err)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("ASSAY_LISTEN=%q: want host:port: %w", c.Listen, err))
	}
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, fmt.Errorf("ASSAY_DATABASE_URL: want postgres://user@host:port/db, got %q", redactURL(c.DatabaseURL)))
		}
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			errs = append(errs, fmt.Errorf("ASSAY_REDIS_URL: want redis://host:port/db, got %q", redactURL(c.RedisURL)))
		}
	}
	if c.RedisNamespace != "" && strings.ContainsAny(c.RedisNamespace, " :{}") {
		errs = append(errs, fmt.Errorf("ASSAY_REDIS_NAMESPACE=%q: must not contain spaces, colons or braces", c.RedisNamespace))
	}
	switch c.Role {
	case RoleAll, RoleWeb, RoleWorker:
	default:
		errs = append(errs, fmt.Errorf("ASSAY_ROLE=%q: want all, web or worker", c.Role))
	}
	if !oneOf(c.FFmpeg, "auto", "system", "embedded") {
		errs = append(errs, fmt.Errorf("ASSAY_FFMPEG=%q: want auto, system or embedded", c.FFmpeg))
	}
	if !oneOf(c.Generator, "procedural", "openai-compatible", "comfyui") {
		errs = append(errs, fmt.Errorf("ASSAY_GENERATOR=%q: want procedural, openai-compatible or comfyui", c.Generator))
	}
	if !oneOf(c.LogFormat, "text", "json") {
		errs = append(errs, fmt.Errorf("ASSAY_LOG_FORMAT=%q: want text or json", c.LogFormat))
	}
	if !oneOf(c.LogLevel, "debug", "info", "warn", "error") {
		errs = append(errs, fmt.Errorf("ASSAY_LOG_LEVEL=%q: want debug, info, warn or error", c.LogLevel))
	}
	if c.AllowPrivateNetworks, err = parseBool("ASSAY_ALLOW_PRIVATE_NETWORKS", get("ASSAY_ALLOW_PRIVATE_NETWORKS", "false")); err != nil {
		errs = append(errs, err)
	}
	if c.TrustedProxies, err = parsePrefixes("ASSAY_TRUSTED_PROXIES", get("ASSAY_TRUSTED_PROXIES", "127.0.0.1/32,::1/128")); err != nil {
		errs = append(errs, err)
	}
	if c.SweepInterval, err = parseDuration("ASSAY_SWEEP_INTERVAL", get("ASSAY_SWEEP_INTERVAL", "10s")); err != nil {
		errs = append(errs, err)
	}
	if c.JobLease, err = parseDuration("ASSAY_JOB_LEASE", get("ASSAY_JOB_LEASE", "2m")); err != nil {
		errs = append(errs, err)
	}
	if c.RetryBase, err = parseDuration("ASSAY_RETRY_BASE", get("ASSAY_RETRY_BASE", "30s")); err != nil {
		errs = append(errs, err)
	}
	if c.WorkerConcurrency, err = strconv.Atoi(get("ASSAY_WORKER_CONCURRENCY", "8")); err != nil || c.WorkerConcurrency < 1 {
		errs = append(errs, fmt.Errorf("ASSAY_WORKER_CONCURRENCY: want a whole number ≥ 1"))
	}
	if mb, err := strconv.ParseInt(get("ASSAY_MAX_UPLOAD_MB", "500"), 10, 64); err != nil || mb < 1 || mb > 1<<20 {
		errs = append(errs, fmt.Errorf("ASSAY_MAX_UPLOAD_MB: want a whole number of megabytes ≥ 1"))
	} else {
		c.MaxUploadBytes = mb << 20
	}
	if c.MaxVideoDuration, err = parseDuration("ASSAY_MAX_VIDEO_DURATION", get("ASSAY_MAX_VIDEO_DURATION", "10m")); err != nil {
		errs = append(errs, err)
	}
	if c.GenerationConcurrency, err = strconv.Atoi(get("ASSAY_GENERATION_CONCURRENCY", "2")); err != nil || c.GenerationConcurrency < 1 {
		errs = append(errs, fmt.Errorf("ASSAY_GENERATION_CONCURRENCY: want a whole number ≥ 1"))
	}
	if c.GenerationDailyQuota, err = strconv.Atoi(get("ASSAY_GENERATION_DAILY_QUOTA", "50")); err != nil || c.GenerationDailyQuota < 0 {
		errs = append(errs, fmt.Errorf("ASSAY_GENERATION_DAILY_QUOTA: want a whole number ≥ 0"))
	}
	c.GeneratorPoll = 2 * time.Second
	if c.GenerationTimeout, err = parseDuration("ASSAY_GENERATION_TIMEOUT", get("ASSAY_GENERATION_TIMEOUT", "15m")); err != nil {
		errs = append(errs, err)
	}
	c.PasswordHashMemoryKiB = 19 * 1024
	return c, errors.Join(errs...)
}

func parsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the raw value, which may hold a password: leave it out.
		return nil, fmt.Errorf("ASSAY_PUBLIC_URL: not a URL (want e.g. https://video.example)")
	}
	shown := u.Redacted()
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("ASSAY_PUBLIC_URL=%q: the scheme must be http or https", shown)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("ASSAY_PUBLIC_URL=%q: a host is required, e.g. https://video.example", shown)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("ASSAY_PUBLIC_URL=%q: only scheme://host[:port] is allowed, Assay must own the whole host", shown)
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

func parseBool(name, raw string) (bool, error) {
	b, err := strconv.ParseBool(raw)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", name, raw)
	}
	return b, nil
}

// parsePrefixes reads addresses and CIDR ranges separated by commas or
// spaces; "none" is the empty list.
func parsePrefixes(name, raw string) ([]netip.Prefix, error) {
	if raw == "none" {
		return nil, nil
	}
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%s: %q is neither an address nor a range such as 10.0.0.0/8", name, f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func parseDuration(name, raw string) (time.Duration, error) {
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 10s", name, raw)
	}
	return d, nil
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// redactURL hides a password so it never reaches a log or an error message.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Redacted is for logs: a connection string without its password.
func Redacted(raw string) string { return redactURL(raw) }

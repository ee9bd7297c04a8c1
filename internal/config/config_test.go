package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// env is a fake environment for FromEnv: only the variables it holds are set.
type env map[string]string

func (e env) lookup(key string) (string, bool) {
	v, ok := e[key]
	return v, ok
}

func load(t *testing.T, e env) *Config {
	t.Helper()
	cfg, err := FromEnv(e.lookup)
	if err != nil {
		t.Fatalf("FromEnv(%v): unexpected error: %v", e, err)
	}
	return cfg
}

func TestDefaults(t *testing.T) {
	// An empty environment and one where every variable is blank mean the same.
	for name, e := range map[string]env{
		"unset": {},
		"blank": {
			"ASSAY_PUBLIC_URL": "", "ASSAY_LISTEN": " ", "ASSAY_DATA_DIR": "", "ASSAY_DATABASE_URL": "",
			"ASSAY_REDIS_URL": "", "ASSAY_ROLE": "", "ASSAY_FFMPEG": "", "ASSAY_GENERATOR": "\t",
			"ASSAY_ALLOW_PRIVATE_NETWORKS": "", "ASSAY_SWEEP_INTERVAL": "", "ASSAY_TRUSTED_PROXIES": " ",
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := load(t, e)
			checks := []struct {
				what      string
				got, want any
			}{
				{"Listen", cfg.Listen, "127.0.0.1:8080"},
				{"PublicURL", cfg.PublicURL.String(), "http://localhost:8080"},
				{"Domain()", cfg.Domain(), "localhost:8080"},
				{"Role", cfg.Role, RoleAll},
				{"DataDir", cfg.DataDir, "./data"},
				{"SQLitePath()", cfg.SQLitePath(), "data/assay.db"},
				{"DatabaseURL", cfg.DatabaseURL, ""},
				{"UsesPostgres()", cfg.UsesPostgres(), false},
				{"RedisURL", cfg.RedisURL, ""},
				{"RedisNamespace", cfg.RedisNamespace, ""},
				{"FFmpeg", cfg.FFmpeg, "auto"},
				{"Generator", cfg.Generator, "procedural"},
				{"AllowPrivateNetworks", cfg.AllowPrivateNetworks, false},
				{"SecureCookies()", cfg.SecureCookies(), false},
				{"SweepInterval", cfg.SweepInterval, 10 * time.Second},
				{"LogFormat", cfg.LogFormat, "text"},
				{"LogLevel", cfg.LogLevel, "info"},
				{"TrustedProxies", fmt.Sprint(cfg.TrustedProxies), "[127.0.0.1/32 ::1/128]"},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
				}
			}
			if cfg.WorkerConcurrency < 1 || cfg.JobLease <= 0 || cfg.PasswordHashMemoryKiB == 0 {
				t.Errorf("worker concurrency %d, job lease %v, hash memory %d: want positive defaults",
					cfg.WorkerConcurrency, cfg.JobLease, cfg.PasswordHashMemoryKiB)
			}
		})
	}
}

func TestValidValues(t *testing.T) {
	tests := []struct {
		name  string
		env   env
		check func(t *testing.T, c *Config)
	}{
		{"https public URL is normalised", env{"ASSAY_PUBLIC_URL": "HTTPS://Video.Example/"}, func(t *testing.T, c *Config) {
			if got := c.PublicURL.String(); got != "https://video.example" {
				t.Errorf("PublicURL = %q, want https://video.example", got)
			}
			if got := c.Domain(); got != "video.example" {
				t.Errorf("Domain() = %q, want video.example", got)
			}
		}},
		{"public URL keeps a port", env{"ASSAY_PUBLIC_URL": "http://127.0.0.1:9000"}, func(t *testing.T, c *Config) {
			if got := c.Domain(); got != "127.0.0.1:9000" {
				t.Errorf("Domain() = %q, want 127.0.0.1:9000", got)
			}
		}},
		{"listen on all interfaces", env{"ASSAY_LISTEN": ":8080"}, func(t *testing.T, c *Config) {
			if c.Listen != ":8080" {
				t.Errorf("Listen = %q", c.Listen)
			}
		}},
		{"postgres and redis", env{
			"ASSAY_DATABASE_URL":    "postgresql://assay:pw@db:5432/assay?sslmode=disable",
			"ASSAY_REDIS_URL":       "rediss://:pw@cache:6380/2",
			"ASSAY_REDIS_NAMESPACE": "video-1",
		}, func(t *testing.T, c *Config) {
			if !c.UsesPostgres() || c.RedisURL == "" || c.RedisNamespace != "video-1" {
				t.Errorf("UsesPostgres %v, RedisURL %q, RedisNamespace %q", c.UsesPostgres(), c.RedisURL, c.RedisNamespace)
			}
		}},
		{"data dir", env{"ASSAY_DATA_DIR": "/var/lib/assay"}, func(t *testing.T, c *Config) {
			if got := c.SQLitePath(); got != "/var/lib/assay/assay.db" {
				t.Errorf("SQLitePath() = %q", got)
			}
		}},
		{"tuning", env{
			"ASSAY_FFMPEG": "embedded", "ASSAY_GENERATOR": "comfyui", "ASSAY_ALLOW_PRIVATE_NETWORKS": "true",
			"ASSAY_SWEEP_INTERVAL": "250ms", "ASSAY_ROLE": " worker ",
		}, func(t *testing.T, c *Config) {
			if c.FFmpeg != "embedded" || c.Generator != "comfyui" || !c.AllowPrivateNetworks ||
				c.SweepInterval != 250*time.Millisecond || c.Role != RoleWorker {
				t.Errorf("got FFmpeg %q, Generator %q, AllowPrivateNetworks %v, SweepInterval %v, Role %q",
					c.FFmpeg, c.Generator, c.AllowPrivateNetworks, c.SweepInterval, c.Role)
			}
		}},
		{"trusted proxies", env{"ASSAY_TRUSTED_PROXIES": "10.1.2.3, 172.16.0.0/12 fd00::1/8"}, func(t *testing.T, c *Config) {
			if got := fmt.Sprint(c.TrustedProxies); got != "[10.1.2.3/32 172.16.0.0/12 fd00::/8]" {
				t.Errorf("TrustedProxies = %s", got)
			}
		}},
		{"trusting no proxy", env{"ASSAY_TRUSTED_PROXIES": "none"}, func(t *testing.T, c *Config) {
			if len(c.TrustedProxies) != 0 {
				t.Errorf("TrustedProxies = %v, want none", c.TrustedProxies)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, load(t, tt.env)) })
	}
}

// variableName finds the ASSAY_* names an error message mentions.
var variableName = regexp.MustCompile(`ASSAY_[A-Z_]+`)

func namedVariables(err error) []string {
	names := variableName.FindAllString(err.Error(), -1)
	slices.Sort(names)
	return slices.Compact(names)
}

func TestMalformedValueNamesTheVariable(t *testing.T) {
	tests := []struct {
		name     string
		variable string
		value    string
	}{
		{"public URL with ftp scheme", "ASSAY_PUBLIC_URL", "ftp://video.example"},
		{"public URL without scheme", "ASSAY_PUBLIC_URL", "video.example"},
		{"public URL without host", "ASSAY_PUBLIC_URL", "https://"},
		{"public URL with only a port", "ASSAY_PUBLIC_URL", "https://:8080"},
		{"public URL with a path", "ASSAY_PUBLIC_URL", "https://example.com/assay"},
		{"public URL with a query", "ASSAY_PUBLIC_URL", "https://video.example/?x=1"},
		{"public URL with a fragment", "ASSAY_PUBLIC_URL", "https://video.example/#top"},
		{"public URL unparseable", "ASSAY_PUBLIC_URL", "http://[::1"},
		{"listen without port", "ASSAY_LISTEN", "127.0.0.1"},
		{"database URL of mysql", "ASSAY_DATABASE_URL", "mysql://assay@db:3306/assay"},
		{"database URL without scheme", "ASSAY_DATABASE_URL", "host=db user=assay"},
		{"redis URL of http", "ASSAY_REDIS_URL", "http://cache:6379"},
		{"redis namespace with colon", "ASSAY_REDIS_NAMESPACE", "a:b"},
		{"role boss", "ASSAY_ROLE", "boss"},
		{"ffmpeg x", "ASSAY_FFMPEG", "x"},
		{"generator x", "ASSAY_GENERATOR", "x"},
		{"allow private networks maybe", "ASSAY_ALLOW_PRIVATE_NETWORKS", "maybe"},
		{"trusted proxy by name", "ASSAY_TRUSTED_PROXIES", "proxy.internal"},
		{"trusted proxy range too wide", "ASSAY_TRUSTED_PROXIES", "10.0.0.0/33"},
		{"negative sweep interval", "ASSAY_SWEEP_INTERVAL", "-1s"},
		{"zero sweep interval", "ASSAY_SWEEP_INTERVAL", "0s"},
		{"sweep interval without unit", "ASSAY_SWEEP_INTERVAL", "10"},
		{"log format", "ASSAY_LOG_FORMAT", "xml"},
		{"log level", "ASSAY_LOG_LEVEL", "loud"},
		{"job lease", "ASSAY_JOB_LEASE", "soon"},
		{"worker concurrency", "ASSAY_WORKER_CONCURRENCY", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env{tt.variable: tt.value}.lookup)
			if err == nil {
				t.Fatalf("%s=%q: FromEnv accepted it", tt.variable, tt.value)
			}
			if got := namedVariables(err); !slices.Equal(got, []string{tt.variable}) {
				t.Errorf("%s=%q: error names %v, want exactly [%s]; error: %v", tt.variable, tt.value, got, tt.variable, err)
			}
		})
	}
}

func TestErrorsHidePasswords(t *testing.T) {
	const secret = "hunter2secret"
	tests := []struct{ name, variable, value string }{
		{"mysql database", "ASSAY_DATABASE_URL", "mysql://assay:" + secret + "@db:3306/assay"},
		{"unparseable database", "ASSAY_DATABASE_URL", "postgres://assay:" + secret + "@db:5432/assay\x7f"},
		{"https database", "ASSAY_DATABASE_URL", "https://assay:" + secret + "@db/assay"},
		{"http redis", "ASSAY_REDIS_URL", "http://default:" + secret + "@cache:6379/0"},
		{"public URL with credentials", "ASSAY_PUBLIC_URL", "https://admin:" + secret + "@video.example"},
		{"unparseable public URL", "ASSAY_PUBLIC_URL", "https://admin:" + secret + "@video.example/\x7f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromEnv(env{tt.variable: tt.value}.lookup)
			if err == nil {
				t.Fatalf("%s: FromEnv accepted %q", tt.variable, tt.value)
			}
			if !strings.Contains(err.Error(), tt.variable) {
				t.Errorf("error does not name %s: %v", tt.variable, err)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error reveals the password: %v", err)
			}
		})
	}
	if got := Redacted("postgres://assay:" + secret + "@db/assay"); strings.Contains(got, secret) {
		t.Errorf("Redacted kept the password: %q", got)
	}
}

func TestAllBadVariablesAreReported(t *testing.T) {
	bad := env{
		"ASSAY_PUBLIC_URL":             "ftp://x",
		"ASSAY_LISTEN":                 "nowhere",
		"ASSAY_DATABASE_URL":           "mysql://db/assay",
		"ASSAY_REDIS_URL":              "http://cache",
		"ASSAY_ROLE":                   "boss",
		"ASSAY_FFMPEG":                 "x",
		"ASSAY_GENERATOR":              "x",
		"ASSAY_ALLOW_PRIVATE_NETWORKS": "maybe",
		"ASSAY_SWEEP_INTERVAL":         "-1s",
	}
	_, err := FromEnv(bad.lookup)
	if err == nil {
		t.Fatal("FromEnv accepted nine bad variables")
	}
	want := make([]string, 0, len(bad))
	for name := range bad {
		want = append(want, name)
	}
	slices.Sort(want)
	if got := namedVariables(err); !slices.Equal(got, want) {
		t.Errorf("error names %v\nwant %v\nerror: %v", got, want, err)
	}
}

func TestSecureCookies(t *testing.T) {
	tests := []struct {
		publicURL string
		want      bool
	}{
		{"https://video.example", true},
		{"HTTPS://video.example:8443", true},
		{"http://video.example", false},
		{"http://localhost:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.publicURL, func(t *testing.T) {
			if got := load(t, env{"ASSAY_PUBLIC_URL": tt.publicURL}).SecureCookies(); got != tt.want {
				t.Errorf("SecureCookies() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		role              string
		want              Role
		runsWeb, runsWork bool
	}{
		{"", RoleAll, true, true},
		{"all", RoleAll, true, true},
		{"web", RoleWeb, true, false},
		{"worker", RoleWorker, false, true},
	}
	for _, tt := range tests {
		t.Run("role="+tt.role, func(t *testing.T) {
			cfg := load(t, env{"ASSAY_ROLE": tt.role})
			if cfg.Role != tt.want || cfg.Role.RunsWeb() != tt.runsWeb || cfg.Role.RunsWorker() != tt.runsWork {
				t.Errorf("Role %q: RunsWeb %v, RunsWorker %v; want %q, %v, %v",
					cfg.Role, cfg.Role.RunsWeb(), cfg.Role.RunsWorker(), tt.want, tt.runsWeb, tt.runsWork)
			}
		})
	}
}

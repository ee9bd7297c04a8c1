package app_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/testrig"
)

func TestHealthz(t *testing.T) {
	// A Redis server of its own, so the test can take it away.
	redisServer := miniredis.RunT(t)
	inst := testrig.NewInstance(t, testrig.Configure(func(c *config.Config) {
		c.RedisURL, c.RedisNamespace = "redis://"+redisServer.Addr(), ""
	}))
	resp := inst.API("GET", "/healthz", "", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(resp.Body), `"database":"ok"`) || !strings.Contains(string(resp.Body), `"redis":"ok"`) {
		t.Fatalf("healthy instance: %d %s", resp.StatusCode, resp.Body)
	}
	redisServer.Close()
	resp = inst.API("GET", "/healthz", "", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(resp.Body), `"database":"ok"`) || !strings.Contains(string(resp.Body), `"redis":"unavailable"`) {
		t.Fatalf("with Redis down healthz answered %d %s", resp.StatusCode, resp.Body)
	}
}

func TestMetricsCountRequestsByRoute(t *testing.T) {
	inst := testrig.NewInstance(t)
	inst.API("GET", "/api/v1/instance", "", nil)
	inst.API("GET", "/no/such/thing", "", nil)
	resp := inst.API("GET", "/metrics", "", nil)
	body := string(resp.Body)
	for _, want := range []string{
		`assay_http_requests_total{code="200",method="GET",route="GET /api/v1/instance"} 1`,
		`assay_http_requests_total{code="404",method="GET",route="/"} 1`,
		`go_goroutines`, `process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/no/such/thing") {
		t.Error("raw paths leak into metric labels (unbounded cardinality)")
	}
}

func TestRequestIDs(t *testing.T) {
	inst := testrig.NewInstance(t)
	resp := inst.API("GET", "/", "", nil)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(resp.Header.Get("X-Request-Id")) {
		t.Errorf("no generated request id: %q", resp.Header.Get("X-Request-Id"))
	}
	req, _ := http.NewRequest("GET", inst.URL+"/", nil)
	req.Header.Set("X-Request-Id", "from-the-proxy-42")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.Header.Get("X-Request-Id") != "from-the-proxy-42" {
		t.Errorf("a sane incoming request id was not kept: %q", r.Header.Get("X-Request-Id"))
	}
	req.Header.Set("X-Request-Id", "evil\"id with spaces")
	r, _ = http.DefaultClient.Do(req)
	r.Body.Close()
	if strings.Contains(r.Header.Get("X-Request-Id"), " ") {
		t.Error("an unsafe incoming request id was echoed")
	}
}

// TestLogLinesCarryTheRequestID: an operator holding the X-Request-Id of a
// failed request (from a user's report or the proxy's log) finds every line
// the server logged about it — the access line and a handler's own errors.
func TestLogLinesCarryTheRequestID(t *testing.T) {
	logs := &testrig.SyncBuffer{}
	redisServer := miniredis.RunT(t) // a Redis of its own, so the test can take it away
	cfg := testrig.Config(t)
	cfg.RedisURL, cfg.RedisNamespace = "redis://"+redisServer.Addr(), ""
	cfg.Role = config.RoleWeb // no workers to fill the log retrying the stopped Redis
	base := testrig.StartInstance(t, cfg, testrig.WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))).URL

	get := func(path, requestID string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if requestID != "" {
			req.Header.Set("X-Request-Id", requestID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-Id")
		if id == "" {
			t.Fatalf("GET %s: no X-Request-Id in the response", path)
		}
		return id
	}
	generated := get("/api/v1/instance", "")
	kept := get("/api/v1/instance", "from-the-proxy-42")
	if kept != "from-the-proxy-42" {
		t.Fatalf("the proxy's request id was not kept: %q", kept)
	}
	redisServer.Close()
	failing := get("/healthz", "")

	lines := jsonLines(t, logs.String())
	find := func(msg, id string) map[string]any {
		for _, l := range lines {
			if l["msg"] == msg && l["request_id"] == id {
				return l
			}
		}
		return nil
	}
	for _, id := range []string{generated, kept} {
		l := find("request", id)
		if l == nil {
			t.Errorf("no access log line with request_id %q; logs:\n%s", id, logs)
			continue
		}
		if l["path"] != "/api/v1/instance" || l["status"] != float64(200) {
			t.Errorf("the access line for request %s is about something else: %v", id, l)
		}
	}
	if l := find("request", failing); l == nil || l["path"] != "/healthz" || l["status"] != float64(503) {
		t.Errorf("the access line for the failing health check (request %s): %v; logs:\n%s", failing, l, logs)
	}
	if find("health check: redis unavailable", failing) == nil {
		t.Errorf("the health check's error line does not carry request_id %q; logs:\n%s", failing, logs)
	}
}

// jsonLines decodes a JSON log, a line at a time.
func jsonLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for line := range strings.Lines(log) {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("a log line is not JSON (%v): %s", err, line)
		}
		lines = append(lines, l)
	}
	return lines
}

func TestStaticAssetsAreCachedForever(t *testing.T) {
	inst := testrig.NewInstance(t)
	home := inst.API("GET", "/", "", nil)
	m := regexp.MustCompile(`href="(/static/[0-9a-f]+/style\.css)"`).FindSubmatch(home.Body)
	if m == nil {
		t.Fatal("the home page links no hashed stylesheet")
	}
	css := inst.API("GET", string(m[1]), "", nil)
	if css.StatusCode != http.StatusOK || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %s", css.StatusCode, css.Header.Get("Content-Type"))
	}
	if cc := css.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("current asset Cache-Control %q", cc)
	}
	stale := inst.API("GET", "/static/000000000000/style.css", "", nil)
	if stale.StatusCode != http.StatusOK || strings.Contains(stale.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("an old hash must get the file but not be cached forever: %d %q", stale.StatusCode, stale.Header.Get("Cache-Control"))
	}
	if missing := inst.API("GET", "/static/abc/nope.css", "", nil); missing.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: %d", missing.StatusCode)
	}
}

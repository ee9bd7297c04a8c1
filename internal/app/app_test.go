package app_test

import (
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

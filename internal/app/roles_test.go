package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/testrig"
)

// TestWorkerRoleServesOnlyHealthAndMetrics: a worker process (ASSAY_ROLE=
// worker) answers its load balancer's health check and Prometheus, and
// nothing a visitor or a client could use — were it put behind the public
// address by mistake, it must not half-serve the site.
func TestWorkerRoleServesOnlyHealthAndMetrics(t *testing.T) {
	worker := testrig.NewInstance(t, testrig.Role(config.RoleWorker))
	users := worker.StandardUsers()

	health := worker.API("GET", "/healthz", "", nil)
	if health.StatusCode != http.StatusOK || !strings.Contains(string(health.Body), `"database":"ok"`) || !strings.Contains(string(health.Body), `"redis":"ok"`) {
		t.Errorf("worker /healthz: %d %s", health.StatusCode, health.Body)
	}
	metrics := worker.API("GET", "/metrics", "", nil)
	if metrics.StatusCode != http.StatusOK || !strings.Contains(string(metrics.Body), `assay_http_requests_total{code="200",method="GET",route="GET /healthz"}`) {
		t.Errorf("worker /metrics: %d, want 200 counting the health checks:\n%s", metrics.StatusCode, metrics.Body)
	}

	for _, path := range []string{
		"/", "/login", "/api/v1/instance", "/api/v1/timelines/public", "/.well-known/webfinger?resource=acct:bob@" + worker.Config.Domain(),
		"/users/bob", "/@bob", "/static/000000000000/style.css",
	} {
		for _, token := range []string{"", users.User.Token} {
			resp := worker.API("GET", path, token, nil)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("worker GET %s (token: %v): status %d, want 404", path, token != "", resp.StatusCode)
			}
			if body := string(resp.Body); strings.Contains(body, "<html") || strings.Contains(body, "Assay") {
				t.Errorf("worker GET %s answers with a page of the site:\n%.300s", path, body)
			}
		}
	}
	if resp := worker.API("POST", "/api/v1/videos", users.User.Token, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("worker POST /api/v1/videos: status %d, want 404", resp.StatusCode)
	}

	// The same requests to a web process find the site: the 404s above
	// come from the role, not from the paths.
	web := testrig.NewInstance(t, testrig.Role(config.RoleWeb))
	for _, path := range []string{"/", "/login", "/api/v1/instance", "/healthz", "/metrics"} {
		if resp := web.API("GET", path, "", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("web GET %s: status %d, want 200", path, resp.StatusCode)
		}
	}
}

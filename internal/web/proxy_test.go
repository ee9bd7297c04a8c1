package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/assay-social/assay/internal/testrig"
)

// Behind a reverse proxy every request comes from the proxy's address. The
// failed-login limit must fall on the client the proxy names, or one
// attacker would lock everybody out; and a client that is not a proxy
// cannot pick its own address with X-Forwarded-For to dodge the limit.
func TestFailedLoginLimitFallsOnTheClientBehindAProxy(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	wrong := func() url.Values { return url.Values{"username": {bob.Username}, "password": {"guess"}} }

	const proxy = "127.0.0.1"
	attacker := inst.BrowserForwarding(proxy, "203.0.113.7")
	for i := 1; i <= 20; i++ {
		if resp := attacker.Submit("/login", "/login", wrong()); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failed login %d through the proxy: status %d, want 401", i, resp.StatusCode)
		}
	}
	if resp := attacker.Submit("/login", "/login", wrong()); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("21st failed login of one client through the proxy: status %d, want 429", resp.StatusCode)
	}
	// Another person behind the same proxy still gets in.
	inst.BrowserForwarding(proxy, "198.51.100.20").Login(bob)

	// A client that is not a trusted proxy names a new address every time:
	// it is still held to its own.
	for i := 1; i <= 21; i++ {
		resp := inst.BrowserForwarding("127.0.0.3", fmt.Sprintf("192.0.2.%d", i)).Submit("/login", "/login", wrong())
		want := http.StatusUnauthorized
		if i == 21 {
			want = http.StatusTooManyRequests
		}
		if resp.StatusCode != want {
			t.Fatalf("failed login %d from an untrusted address naming another in X-Forwarded-For: status %d, want %d", i, resp.StatusCode, want)
		}
	}
}

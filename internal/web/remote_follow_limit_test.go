package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/testrig"
)

// "Follow from your own server" makes this server ask the server a visitor
// names. One address can make it do so a bounded number of times a minute;
// another address is not held back by it.
func TestRemoteFollowLookupsAreBoundedPerAddress(t *testing.T) {
	counting, asked := testrig.CountRequests("/.well-known/webfinger")
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"), counting)
	b.CreateUser("erin", false)
	a := testrig.NewInstance(t)
	a.CreateUser("dave", false)
	handle := "erin@" + domainOf(b)

	visitor := a.BrowserFrom("127.0.0.3")
	for i := 1; i <= federation.LookupsPerWindow; i++ {
		resp := visitor.Submit("/@dave", "/remote_follow", url.Values{"account": {"dave"}, "handle": {handle}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remote follow %d: %d %s, want a redirect to %s", i, resp.StatusCode, resp.Body, b.URL)
		}
	}
	before := asked.Load()
	resp := visitor.Submit("/@dave", "/remote_follow", url.Values{"account": {"dave"}, "handle": {handle}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(resp.Body), "wait") {
		t.Errorf("remote follow %d from one address within a minute: %d, want 429 saying to wait", federation.LookupsPerWindow+1, resp.StatusCode)
	}
	if asked.Load() != before {
		t.Error("a refused remote follow still asked the visitor's server")
	}
	other := a.BrowserFrom("127.0.0.4")
	if resp := other.Submit("/@dave", "/remote_follow", url.Values{"account": {"dave"}, "handle": {handle}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a remote follow from another address: %d, want a redirect", resp.StatusCode)
	}
}

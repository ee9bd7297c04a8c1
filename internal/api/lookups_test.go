package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/testrig"
)

// Looking up an account of another server makes this server fetch from
// it. A caller without a token cannot make it fetch at all (it sees only
// accounts known here), and a person can make it fetch a bounded number of
// times a minute; what is known already is always answered.
func TestRemoteLookupsAreBounded(t *testing.T) {
	counting, asked := testrig.CountRequests("/.well-known/webfinger")
	b := testrig.NewInstance(t, testrig.OnHost("127.0.0.2"), counting)
	carol := b.CreateUser("carol", false)
	a := testrig.NewInstance(t)
	users := a.StandardUsers()
	alice := users.Admin
	handle := carol.Username + "@" + strings.TrimPrefix(b.URL, "http://")

	if resp := a.API("GET", "/api/v1/accounts/"+handle, "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a visitor looking up someone unknown here: %d %s, want 401", resp.StatusCode, resp.Body)
	}
	if n := asked.Load(); n != 0 {
		t.Fatalf("a visitor's lookup made this server ask %s %d times", b.URL, n)
	}
	if resp := a.API("GET", "/api/v1/accounts/"+handle, alice.Token, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("alice looking up %s: %d %s", handle, resp.StatusCode, resp.Body)
	}
	if resp := a.API("GET", "/api/v1/accounts/"+handle, "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("a visitor looking up someone known here now: %d, want 200", resp.StatusCode)
	}

	// Each lookup of someone unknown costs one of alice's, found or not.
	for i := 1; i < federation.LookupsPerWindow; i++ {
		resp := a.API("GET", "/api/v1/accounts/nobody"+strings.Repeat("x", i)+"@"+strings.TrimPrefix(b.URL, "http://"), alice.Token, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("lookup %d of someone %s does not know: %d %s, want 404", i+1, b.URL, resp.StatusCode, resp.Body)
		}
	}
	before := asked.Load()
	resp := a.API("GET", "/api/v1/accounts/dave@"+strings.TrimPrefix(b.URL, "http://"), alice.Token, nil)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(resp.Body), "wait") {
		t.Errorf("lookup %d within a minute: %d %s, want 429 saying to wait", federation.LookupsPerWindow+1, resp.StatusCode, resp.Body)
	}
	if resp := a.API("POST", "/api/v1/follows", alice.Token, map[string]string{"target": "dave@" + strings.TrimPrefix(b.URL, "http://")}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("following someone unknown after alice's lookups ran out: %d %s, want 429", resp.StatusCode, resp.Body)
	}
	if resp := a.API("DELETE", "/api/v1/follows?target=dave@"+strings.TrimPrefix(b.URL, "http://"), alice.Token, nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("unfollowing someone unknown after alice's lookups ran out: %d %s, want 429", resp.StatusCode, resp.Body)
	}
	page := a.Browser()
	page.Login(alice)
	if resp := page.Submit("/", "/follow", url.Values{"account": {"dave@" + strings.TrimPrefix(b.URL, "http://")}}); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the Follow form for someone unknown after alice's lookups ran out: %d, want 429", resp.StatusCode)
	}
	if asked.Load() != before {
		t.Error("a refused lookup still asked the other server")
	}
	if resp := a.API("GET", "/api/v1/accounts/"+handle, alice.Token, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("someone known here, after alice's lookups ran out: %d, want 200", resp.StatusCode)
	}
	// Someone known here but not fetched for days is still shown, as last
	// fetched, to whoever may not look them up again just now.
	if _, err := a.Store.DB().NewUpdate().Table("accounts").Set("fetched_at = ?", time.Now().Add(-72*time.Hour).UTC()).
		Where("username = ? AND domain <> ''", carol.Username).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	for who, token := range map[string]string{"a visitor": "", "alice, out of lookups": alice.Token} {
		if resp := a.API("GET", "/api/v1/accounts/"+handle, token, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s asking for someone known here but stale: %d %s, want 200", who, resp.StatusCode, resp.Body)
		}
	}
	bob := users.User
	if resp := a.API("GET", "/api/v1/accounts/dave@"+strings.TrimPrefix(b.URL, "http://"), bob.Token, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bob's lookup, after alice's ran out: %d, want 404 from the other server", resp.StatusCode)
	}
}

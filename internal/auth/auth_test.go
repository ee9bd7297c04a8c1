package auth

import (
	"net/http"
	"testing"
	"time"
)

func TestCookiesAreSecureUnderHTTPS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		a := &Auth{secret: []byte("0123456789abcdef"), secure: secure}
		c := a.cookie(SessionCookie, "v", time.Hour)
		if c.Secure != secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("secure=%v: cookie %+v", secure, c)
		}
	}
}

func TestCSRFTokensAreBoundToSessionAndSecret(t *testing.T) {
	a := &Auth{secret: []byte("0123456789abcdef")}
	token := a.issueCSRF(discard{}, "session-1")
	if !a.csrfValid(token, "session-1") {
		t.Fatal("a fresh token is not valid for its own session")
	}
	other := &Auth{secret: []byte("another-secret-!")}
	for name, ok := range map[string]bool{
		"other session": a.csrfValid(token, "session-2"),
		"no session":    a.csrfValid(token, ""),
		"other secret":  other.csrfValid(token, "session-1"),
		"truncated":     a.csrfValid(token[:len(token)-2], "session-1"),
		"no mac":        a.csrfValid("nonce-only", "session-1"),
		"empty nonce":   a.csrfValid("."+a.csrfMAC("", "session-1"), "session-1"),
	} {
		if ok {
			t.Errorf("%s: token accepted", name)
		}
	}
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

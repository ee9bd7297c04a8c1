package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/testrig"
)

func TestSignupLoginLogout(t *testing.T) {
	inst := testrig.NewInstance(t)
	b := inst.Browser()

	resp := b.Submit("/signup", "/signup", url.Values{"username": {"Dora"}, "password": {"a long passphrase"}, "email": {"dora@example.org"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signup: status %d: %s", resp.StatusCode, resp.Body)
	}
	if home := b.Get("/"); !strings.Contains(string(home.Body), "@dora") {
		t.Fatalf("after signup the home page does not show @dora:\n%s", home.Body)
	}
	resp = b.Submit("/", "/logout", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: status %d", resp.StatusCode)
	}
	if home := b.Get("/"); strings.Contains(string(home.Body), "@dora") || !strings.Contains(string(home.Body), `href="/login"`) {
		t.Fatal("after logout the home page still shows the user")
	}

	resp = b.Submit("/login", "/login", url.Values{"username": {"dora"}, "password": {"a long passphrase"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d: %s", resp.StatusCode, resp.Body)
	}
	if home := b.Get("/"); !strings.Contains(string(home.Body), "@dora") {
		t.Fatal("after login the home page does not show @dora")
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	b := inst.Browser()
	form := url.Values{"username": {bob.Username}, "password": {bob.Password}, "csrf_token": {b.CSRF("/login")}}
	resp := b.Post("/login", form)
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == auth.SessionCookie {
			session = c
		}
	}
	if session == nil {
		t.Fatal("login set no session cookie")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie must be HttpOnly and SameSite=Lax: %+v", session)
	}
	if session.Secure {
		t.Error("the test instance is plain http; a Secure cookie would never come back")
	}
	var stored string
	if err := inst.Store.DB().QueryRowContext(context.Background(), "SELECT id FROM sessions").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored == session.Value {
		t.Error("the sessions table holds the raw cookie; it must hold only a hash")
	}
}

func TestWrongPasswordIs401WithoutDetail(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	b := inst.Browser()

	wrong := b.Submit("/login", "/login", url.Values{"username": {bob.Username}, "password": {"not-the-password"}})
	unknown := b.Submit("/login", "/login", url.Values{"username": {"nobody"}, "password": {"not-the-password"}})
	for name, resp := range map[string]*testrig.Response{"wrong password": wrong, "unknown user": unknown} {
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
		body := string(resp.Body)
		if !strings.Contains(body, "Invalid username or password.") {
			t.Errorf("%s: the page does not say the login failed", name)
		}
		for _, leak := range []string{"no such user", "wrong password", "not found", "does not exist"} {
			if strings.Contains(strings.ToLower(body), leak) {
				t.Errorf("%s: the page tells which part was wrong (%q)", name, leak)
			}
		}
	}
	if b.Cookie(auth.SessionCookie) != "" {
		t.Error("a failed login set a session cookie")
	}
}

func TestTakenUsernameIsExplained(t *testing.T) {
	inst := testrig.NewInstance(t)
	inst.StandardUsers()
	b := inst.Browser()
	for _, name := range []string{"bob", "BOB"} {
		resp := b.Submit("/signup", "/signup", url.Values{"username": {name}, "password": {"a long passphrase"}})
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("signing up as %s: status %d, want 409", name, resp.StatusCode)
		}
		if !strings.Contains(string(resp.Body), "the username bob is taken") {
			t.Errorf("signing up as %s: the page does not say the name is taken:\n%s", name, resp.Body)
		}
		if !strings.Contains(string(resp.Body), `value="`+name+`"`) {
			t.Errorf("signing up as %s: the form lost what the person typed", name)
		}
	}
	n, err := inst.Store.CountLocalUsers(context.Background())
	if err != nil || n != 2 {
		t.Errorf("users after the refused signups: %d (%v), want 2", n, err)
	}
}

func TestSignupRejectsBadInput(t *testing.T) {
	inst := testrig.NewInstance(t)
	b := inst.Browser()
	cases := []struct {
		username, password, email, want string
	}{
		{"", "a long passphrase", "", "a username is 1 to 30 characters"},
		{"no spaces", "a long passphrase", "", "a username is 1 to 30 characters"},
		{"admin", "a long passphrase", "", "reserved"},
		{"eve", "short", "", "at least 8 characters"},
		{"eve", "a long passphrase", "not-an-email", "email address"},
	}
	for _, c := range cases {
		resp := b.Submit("/signup", "/signup", url.Values{"username": {c.username}, "password": {c.password}, "email": {c.email}})
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			t.Errorf("signup %q/%q: status %d, want a 4xx", c.username, c.password, resp.StatusCode)
		}
		if !strings.Contains(string(resp.Body), c.want) {
			t.Errorf("signup %q/%q: the page does not explain (%q)", c.username, c.password, c.want)
		}
	}
	if n, _ := inst.Store.CountLocalUsers(context.Background()); n != 0 {
		t.Errorf("refused signups left %d users behind", n)
	}
}

func TestRepeatedFailedLoginsAreThrottled(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	attacker := inst.Browser()
	for i := 1; i <= 20; i++ {
		resp := attacker.Submit("/login", "/login", url.Values{"username": {bob.Username}, "password": {"guess"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failed login %d: status %d, want 401", i, resp.StatusCode)
		}
	}
	// Even the right password is refused now: the address is blocked.
	resp := attacker.Submit("/login", "/login", url.Values{"username": {bob.Username}, "password": {bob.Password}})
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("21st login from the same address: status %d, want 429", resp.StatusCode)
	}
	if !strings.Contains(string(resp.Body), "Too many failed logins") {
		t.Error("the 429 page does not say why")
	}
	// Someone else, from another address, still gets in.
	other := inst.BrowserFrom("127.0.0.2")
	other.Login(bob)
}

func TestFormsWithoutValidCSRFTokenAre403(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	b := inst.Browser()
	b.Get("/login") // has a CSRF cookie, sends no token
	creds := url.Values{"username": {bob.Username}, "password": {bob.Password}}

	if resp := b.Post("/login", creds); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without a token: status %d, want 403", resp.StatusCode)
	}
	forged := url.Values{"username": {bob.Username}, "password": {bob.Password}, "csrf_token": {"abc.def"}}
	if resp := b.Post("/login", forged); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with a made-up token: status %d, want 403", resp.StatusCode)
	}
	// A token from another browser does not match this browser's cookie.
	theirs := inst.Browser().CSRF("/login")
	stolen := url.Values{"username": {bob.Username}, "password": {bob.Password}, "csrf_token": {theirs}}
	if resp := b.Post("/login", stolen); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login with another browser's token: status %d, want 403", resp.StatusCode)
	}
	signup := url.Values{"username": {"mallory"}, "password": {"a long passphrase"}}
	if resp := b.Post("/signup", signup); resp.StatusCode != http.StatusForbidden {
		t.Errorf("signup without a token: status %d, want 403", resp.StatusCode)
	}
	if _, err := inst.Accounts.UserByName(context.Background(), "mallory"); err == nil {
		t.Error("a signup without a CSRF token created the account")
	}

	b.Login(bob)
	if resp := b.Post("/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without a token: status %d, want 403", resp.StatusCode)
	}
	if home := b.Get("/"); !strings.Contains(string(home.Body), "@bob") {
		t.Error("a logout without a CSRF token logged the user out")
	}
}

func TestCSRFTokenDoesNotSurviveLogin(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	b := inst.Browser()
	before := b.CSRF("/login")
	b.Login(bob)
	after := b.CSRF("/")
	if before == after {
		t.Fatal("the CSRF token stayed the same across login; it must be bound to the session")
	}
	if resp := b.Post("/logout", url.Values{"csrf_token": {before}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout with the pre-login token: status %d, want 403", resp.StatusCode)
	}
}

func TestClosedRegistrations(t *testing.T) {
	inst := testrig.NewInstance(t)
	closed := false
	if _, err := inst.Instance.Update(context.Background(), nil, instance.Change{RegistrationsOpen: &closed}); err != nil {
		t.Fatal(err)
	}
	b := inst.Browser()
	page := b.Get("/signup")
	if page.StatusCode != http.StatusForbidden || !strings.Contains(string(page.Body), "Registrations on this instance are closed") {
		t.Errorf("signup page with registrations closed: status %d", page.StatusCode)
	}
	form := url.Values{"username": {"eve"}, "password": {"a long passphrase"}, "csrf_token": {b.CSRF("/login")}}
	if resp := b.Post("/signup", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("signup POST with registrations closed: status %d, want 403", resp.StatusCode)
	}
	if n, _ := inst.Store.CountLocalUsers(context.Background()); n != 0 {
		t.Error("a signup went through while registrations were closed")
	}
}

func TestFriendlyNotFoundPage(t *testing.T) {
	inst := testrig.NewInstance(t)
	resp := inst.Browser().Get("/no/such/page")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
	body := string(resp.Body)
	if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "There is nothing at this address.") || !strings.Contains(body, `href="/"`) {
		t.Errorf("the 404 is not a friendly page:\n%s", body)
	}
}

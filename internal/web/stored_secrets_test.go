package web_test

// What the server keeps of people's secrets, and how it hands them the ones
// they keep: password hashes, API tokens and the login cookies.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/testrig"
)

func TestPasswordsAreStoredAsArgon2idHashes(t *testing.T) {
	inst := testrig.NewInstance(t)
	const password = "a long passphrase"
	for _, name := range []string{"dora", "emil"} {
		b := inst.Browser()
		resp := b.Submit("/signup", "/signup", url.Values{"username": {name}, "password": {password}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("signup as %s: status %d: %s", name, resp.StatusCode, resp.Body)
		}
	}

	hashes := map[string]string{}
	for _, name := range []string{"dora", "emil"} {
		var hash string
		err := inst.Store.DB().NewSelect().TableExpr("users AS u").
			Join("JOIN accounts AS a ON a.id = u.account_id").
			ColumnExpr("u.password_hash").Where("a.username = ? AND a.domain = ''", name).
			Scan(context.Background(), &hash)
		if err != nil {
			t.Fatalf("reading %s's row in users: %v", name, err)
		}
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("%s's password_hash is not an argon2id hash: %q", name, hash)
		}
		if strings.Contains(hash, password) || strings.Contains(hash, strings.ReplaceAll(password, " ", "")) {
			t.Errorf("%s's password_hash contains the password: %q", name, hash)
		}
		hashes[name] = hash
	}
	if hashes["dora"] == hashes["emil"] {
		t.Error("two users with the same password have the same hash: the hashes are not salted")
	}

	// The hash is the one the login form checks.
	b := inst.Browser()
	resp := b.Submit("/login", "/login", url.Values{"username": {"dora"}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login with the signup password: status %d", resp.StatusCode)
	}
}

func TestAPITokensAreStoredOnlyAsHashes(t *testing.T) {
	inst := testrig.NewInstance(t)
	users := inst.StandardUsers()

	rows, err := inst.Store.DB().QueryContext(context.Background(), "SELECT * FROM api_tokens")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	columns, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	storedHash := map[string]string{} // user_id → token_hash
	n := 0
	for rows.Next() {
		n++
		values := make([]any, len(columns))
		ptrs := make([]any, len(columns))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, col := range columns {
			switch v := values[i].(type) {
			case []byte:
				row[col] = string(v)
			case nil:
				row[col] = ""
			default:
				row[col] = fmt.Sprint(v)
			}
			for _, u := range []*testrig.User{users.Admin, users.User} {
				if strings.Contains(row[col], u.Token) {
					t.Errorf("api_tokens.%s holds %s's raw token", col, u.Username)
				}
			}
		}
		storedHash[row["user_id"]] = row["token_hash"]
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("api_tokens has %d rows, want 2 (alice's and bob's)", n)
	}

	bob := users.User
	hash := storedHash[bob.ID]
	if hash == "" || hash == bob.Token {
		t.Fatalf("bob's stored token_hash is %q, want a hash that differs from the token", hash)
	}

	me := inst.API("GET", "/api/v1/accounts/verify_credentials", bob.Token, nil)
	if me.StatusCode != http.StatusOK || !strings.Contains(string(me.Body), `"username":"bob"`) {
		t.Fatalf("bob's token does not authenticate: %d %s", me.StatusCode, me.Body)
	}
	// A copy of the table is no use to a thief: the stored value is no token.
	if stolen := inst.API("GET", "/api/v1/accounts/verify_credentials", hash, nil); stolen.StatusCode != http.StatusUnauthorized {
		t.Errorf("the stored token_hash used as a bearer token: status %d, want 401", stolen.StatusCode)
	}
}

// TestLoginCookiesFollowThePublicURLScheme logs in through the form on an
// instance whose public URL is https — as behind a TLS-terminating proxy,
// the process itself speaks plain HTTP — and on a plain http one. The session
// and CSRF cookies, as set by the login page, the login and the logout, are
// always HttpOnly and SameSite=Lax, and Secure exactly when the public URL
// is https: a Secure cookie on an http site would never come back, and one
// without it on an https site could leak over a plain-HTTP request.
func TestLoginCookiesFollowThePublicURLScheme(t *testing.T) {
	for _, scheme := range []string{"https", "http"} {
		t.Run(scheme, func(t *testing.T) {
			inst := testrig.NewInstance(t, testrig.PublicScheme(scheme))
			a, base := inst.App, inst.URL
			ctx := context.Background()
			if _, err := a.Accounts.Create(ctx, accounts.NewUser{Username: "bob", Password: "password-bob"}); err != nil {
				t.Fatal(err)
			}
			wantSecure := scheme == "https"
			check := func(step string, resp *http.Response, names ...string) map[string]*http.Cookie {
				t.Helper()
				got := map[string]*http.Cookie{}
				for _, c := range resp.Cookies() {
					got[c.Name] = c
				}
				for _, name := range names {
					c := got[name]
					switch {
					case c == nil:
						t.Errorf("%s set no %s cookie (Set-Cookie: %q)", step, name, resp.Header.Values("Set-Cookie"))
					case c.Secure != wantSecure:
						t.Errorf("%s: %s cookie has Secure=%v on an instance at %s://; Set-Cookie: %s", step, name, c.Secure, scheme, c.Raw)
					case !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/":
						t.Errorf("%s: %s cookie must be HttpOnly, SameSite=Lax, Path=/; Set-Cookie: %s", step, name, c.Raw)
					}
				}
				return got
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			send := func(method, path, cookies string, form url.Values) (*http.Response, string) {
				t.Helper()
				var body io.Reader
				if form != nil {
					body = strings.NewReader(form.Encode())
				}
				req, err := http.NewRequest(method, base+path, body)
				if err != nil {
					t.Fatal(err)
				}
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				if cookies != "" {
					req.Header.Set("Cookie", cookies)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", method, path, err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp, string(b)
			}

			// The cookies are sent back by hand: a cookie jar would rightly
			// withhold Secure ones from the plain-HTTP connection.
			page, body := send("GET", "/login", "", nil)
			csrf := check("the login page", page, auth.CSRFCookie)[auth.CSRFCookie]
			m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
			if csrf == nil || m == nil {
				t.Fatalf("the login page carries no CSRF token (status %d)", page.StatusCode)
			}
			login, _ := send("POST", "/login", auth.CSRFCookie+"="+csrf.Value,
				url.Values{"username": {"bob"}, "password": {"password-bob"}, "csrf_token": {m[1]}})
			if login.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: status %d", login.StatusCode)
			}
			set := check("the login", login, auth.SessionCookie, auth.CSRFCookie)
			if set[auth.SessionCookie] == nil || set[auth.CSRFCookie] == nil {
				t.FailNow()
			}
			session := auth.SessionCookie + "=" + set[auth.SessionCookie].Value
			cookies := session + "; " + auth.CSRFCookie + "=" + set[auth.CSRFCookie].Value
			if _, home := send("GET", "/", cookies, nil); !strings.Contains(home, "@bob") {
				t.Fatal("the session cookie from the login does not log bob in")
			}

			_, home := send("GET", "/", cookies, nil)
			m = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(home)
			if m == nil {
				t.Fatal("the home page has no logout form with a CSRF token")
			}
			logout, _ := send("POST", "/logout", cookies, url.Values{"csrf_token": {m[1]}})
			if logout.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout: status %d", logout.StatusCode)
			}
			for name, c := range check("the logout", logout, auth.SessionCookie, auth.CSRFCookie) {
				if c.MaxAge >= 0 {
					t.Errorf("the logout does not delete the %s cookie: %s", name, c.Raw)
				}
			}
		})
	}
}

// Package auth tells who is making a request — a web session or an API
// bearer token — and guards cookie-authenticated writes with CSRF tokens.
// Both the HTML and the JSON handlers use it.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
)

const (
	SessionCookie = "assay_session"
	CSRFCookie    = "assay_csrf"
	CSRFField     = "csrf_token"
	CSRFHeader    = "X-CSRF-Token"
)

// Auth resolves requesters.
type Auth struct {
	accounts *accounts.Service
	secret   []byte
	secure   bool
}

// New makes the resolver. secret keys the CSRF tokens; secure sets the
// Secure attribute on cookies (the public URL is https).
func New(acc *accounts.Service, secret []byte, secure bool) *Auth {
	return &Auth{accounts: acc, secret: secret, secure: secure}
}

// Requester is who made the request.
type Requester struct {
	User       *model.User
	ViaSession bool   // a browser session, which needs CSRF checks on writes
	session    string // the raw cookie, to bind CSRF tokens to it
}

type requesterKey struct{}

// Middleware attaches the Requester (possibly without a user) to every
// request. A bearer token that does not resolve is remembered as invalid so
// the API can answer 401; a stale session cookie just means logged out.
func (a *Auth) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := &Requester{}
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if strings.EqualFold(scheme, "Bearer") {
				u, err := a.accounts.UserByToken(r.Context(), strings.TrimSpace(token))
				if status, _ := apperr.From(err); err != nil && status >= 500 {
					// A database outage is not a bad token: say so rather than 401.
					httpx.JSONError(w, r, apperr.Wrap(http.StatusServiceUnavailable, "the server cannot check tokens right now; try again shortly", err))
					return
				}
				req.User = u
			}
			r = r.WithContext(context.WithValue(r.Context(), requesterKey{}, req))
			next.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(SessionCookie); err == nil {
			req.session = c.Value
			u, err := a.accounts.UserBySession(r.Context(), c.Value)
			if err != nil {
				httpx.Logger(r.Context()).Error("session lookup failed", "err", err)
			}
			if u != nil {
				req.User = u
				req.ViaSession = true
			} else {
				req.session = ""
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requesterKey{}, req)))
	})
}

// From returns the request's Requester (never nil behind Middleware).
func From(ctx context.Context) *Requester {
	if r, ok := ctx.Value(requesterKey{}).(*Requester); ok {
		return r
	}
	return &Requester{}
}

// User is the logged-in user or nil.
func User(ctx context.Context) *model.User { return From(ctx).User }

// StartSession logs user in: a session cookie, and a CSRF token bound to it.
// It returns the new CSRF token.
func (a *Auth) StartSession(ctx context.Context, w http.ResponseWriter, r *http.Request, user *model.User) (string, error) {
	cookie, err := a.accounts.StartSession(ctx, user.ID, r.UserAgent())
	if err != nil {
		return "", err
	}
	http.SetCookie(w, a.cookie(SessionCookie, cookie, accounts.SessionLifetime))
	return a.issueCSRF(w, cookie), nil
}

// EndSession logs out.
func (a *Auth) EndSession(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	req := From(ctx)
	if req.session != "" {
		if err := a.accounts.EndSession(ctx, req.session); err != nil {
			return err
		}
	}
	http.SetCookie(w, a.cookie(SessionCookie, "", -1))
	http.SetCookie(w, a.cookie(CSRFCookie, "", -1))
	return nil
}

func (a *Auth) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.secure,
	}
	if maxAge < 0 {
		c.MaxAge = -1
	} else if maxAge > 0 {
		c.MaxAge = int(maxAge.Seconds())
	}
	return c
}

// CSRFToken returns a token for forms on this page, setting the cookie when
// the browser has none valid for its session. Call it before writing the body.
// The token is a signed double-submit cookie: a nonce and an HMAC over the
// nonce and the session, so it can neither be forged nor carried across logins.
func (a *Auth) CSRFToken(w http.ResponseWriter, r *http.Request) string {
	session := From(r.Context()).session
	if c, err := r.Cookie(CSRFCookie); err == nil && a.csrfValid(c.Value, session) {
		return c.Value
	}
	return a.issueCSRF(w, session)
}

func (a *Auth) issueCSRF(w http.ResponseWriter, session string) string {
	nonce := make([]byte, 18)
	rand.Read(nonce)
	n := base64.RawURLEncoding.EncodeToString(nonce)
	token := n + "." + a.csrfMAC(n, session)
	http.SetCookie(w, a.cookie(CSRFCookie, token, 0))
	return token
}

func (a *Auth) csrfMAC(nonce, session string) string {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte(nonce + "|" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (a *Auth) csrfValid(token, session string) bool {
	nonce, mac, ok := strings.Cut(token, ".")
	if !ok || nonce == "" {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(a.csrfMAC(nonce, session)))
}

// CheckCSRF reports whether a write carries a valid token: the form field or
// header must equal the cookie, and the cookie must be signed for this session.
func (a *Auth) CheckCSRF(r *http.Request) bool {
	submitted := r.Header.Get(CSRFHeader)
	if submitted == "" {
		submitted = r.PostFormValue(CSRFField)
	}
	return a.CheckCSRFValue(r, submitted)
}

// CheckCSRFValue checks a token read by the caller: a streamed upload form
// reads its token field itself, before the file, instead of parsing the
// whole body.
func (a *Auth) CheckCSRFValue(r *http.Request, submitted string) bool {
	c, err := r.Cookie(CSRFCookie)
	if err != nil {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(submitted), []byte(c.Value)) != 1 {
		return false
	}
	return a.csrfValid(c.Value, From(r.Context()).session)
}

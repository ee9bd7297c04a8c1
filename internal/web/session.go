package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/templates"
)

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if auth.User(r.Context()) != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if next == "/" {
		next = ""
	}
	h.renderLogin(w, r, http.StatusOK, templates.AuthForm{Next: next})
}

// localPath is p when it is a path on this site, else "/": a login never
// sends anyone on to another site.
func localPath(p string) string {
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(p, "/") ||
		strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return "/"
	}
	return p
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, f templates.AuthForm) {
	if inst, err := h.Instance.Get(r.Context()); err == nil {
		f.RegistrationsOpen = inst.RegistrationsOpen
	}
	h.render(w, r, status, templates.Login(h.page(w, r, "Log in"), f))
}

// login counts failures per client address: after Logins.Max in a row the
// address gets 429 until the window passes, whatever it sends.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := detached(r.Context())
	defer cancel()
	ip := httpx.ClientIP(r)
	blocked, err := h.Logins.Blocked(ctx, ip)
	if err != nil {
		httpx.Logger(ctx).Warn("login limiter unavailable", "err", err)
	}
	form := templates.AuthForm{Username: r.PostFormValue("username"), Next: r.PostFormValue("next")}
	if blocked {
		form.Error = "Too many failed logins from your address. Please wait 15 minutes and try again."
		h.renderLogin(w, r, http.StatusTooManyRequests, form)
		return
	}
	user, err := h.Accounts.Authenticate(ctx, form.Username, r.PostFormValue("password"))
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
			if err := h.Logins.Fail(ctx, ip); err != nil {
				httpx.Logger(ctx).Warn("login limiter unavailable", "err", err)
			}
			form.Error = "Invalid username or password."
			h.renderLogin(w, r, http.StatusUnauthorized, form)
			return
		}
		h.errorPage(w, r, err)
		return
	}
	h.Logins.Reset(ctx, ip) //nolint:errcheck // a stale count only delays the next block
	if _, err := h.Auth.StartSession(ctx, w, r, user); err != nil {
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, localPath(form.Next), http.StatusSeeOther)
}

func (h *Handler) signupForm(w http.ResponseWriter, r *http.Request) {
	h.renderSignup(w, r, http.StatusOK, templates.AuthForm{})
}

func (h *Handler) renderSignup(w http.ResponseWriter, r *http.Request, status int, f templates.AuthForm) {
	inst, err := h.Instance.Get(r.Context())
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	f.RegistrationsOpen, f.Rules = inst.RegistrationsOpen, instance.Rules(inst)
	if !inst.RegistrationsOpen && status == http.StatusOK {
		status = http.StatusForbidden
	}
	h.render(w, r, status, templates.Signup(h.page(w, r, "Sign up"), f))
}

func (h *Handler) signup(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := detached(r.Context())
	defer cancel()
	inst, err := h.Instance.Get(ctx)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	if !inst.RegistrationsOpen {
		h.renderSignup(w, r, http.StatusForbidden, templates.AuthForm{})
		return
	}
	form := templates.AuthForm{Username: r.PostFormValue("username"), Email: r.PostFormValue("email")}
	user, err := h.Accounts.Create(ctx, accounts.NewUser{
		Username: form.Username, Email: form.Email, Password: r.PostFormValue("password"),
	})
	if err != nil {
		status, public := apperr.From(err)
		if status >= 500 {
			h.errorPage(w, r, err)
			return
		}
		form.Error = public
		h.renderSignup(w, r, status, form)
		return
	}
	if _, err := h.Auth.StartSession(ctx, w, r, user); err != nil {
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logoutForm asks a logged-in person to confirm, with the form that POSTs
// to /logout; a GET never ends a session, or any site could log people out
// with a link. A visitor who is not logged in goes home.
func (h *Handler) logoutForm(w http.ResponseWriter, r *http.Request) {
	if auth.User(r.Context()) == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, templates.Logout(h.page(w, r, "Log out")))
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.Auth.EndSession(r.Context(), w, r); err != nil {
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

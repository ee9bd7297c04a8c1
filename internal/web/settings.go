package web

import (
	"net/http"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/templates"
)

// settingsRoutes registers the pages where people change settings.
func (h *Handler) settingsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /settings", h.settingsForm)
	mux.HandleFunc("POST /settings", h.form(h.saveSettings))
	mux.HandleFunc("GET /admin", h.adminForm)
	mux.HandleFunc("POST /admin", h.form(h.saveAdmin))
}

func (h *Handler) settingsForm(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	h.renderSettings(w, r, http.StatusOK, templates.SettingsView{
		DefaultMedia: user.DefaultMedia, Saved: r.URL.Query().Get("saved") == "1",
	})
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, sv templates.SettingsView) {
	user := auth.User(r.Context())
	sv.Handle = "@" + user.Account.Username + "@" + h.PublicURL.Host
	if sv.DefaultMedia == "" {
		sv.DefaultMedia = store.MediaAll
	}
	h.render(w, r, status, templates.Settings(h.page(w, r, "Settings"), sv))
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	var p accounts.Preferences
	if r.PostForm.Has("default_media") {
		media := r.PostFormValue("default_media")
		p.DefaultMedia = &media
	}
	if _, err := h.Accounts.UpdatePreferences(ctx, user, p); err != nil {
		if status, public := apperr.From(err); status < 500 {
			h.renderSettings(w, r, status, templates.SettingsView{DefaultMedia: user.DefaultMedia, Error: public})
			return
		}
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings?saved=1", http.StatusSeeOther)
}

// admin answers a logged-out visitor with the login form and anyone but an
// admin with 403; ok is true for an admin.
func (h *Handler) admin(w http.ResponseWriter, r *http.Request) bool {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return false
	}
	if !user.Admin {
		h.errorPage(w, r, apperr.Forbidden("Only the instance's admins can open this page."))
		return false
	}
	return true
}

func (h *Handler) adminForm(w http.ResponseWriter, r *http.Request) {
	if !h.admin(w, r) {
		return
	}
	h.renderAdmin(w, r, http.StatusOK, templates.AdminView{Saved: r.URL.Query().Get("saved") == "1"})
}

func (h *Handler) renderAdmin(w http.ResponseWriter, r *http.Request, status int, av templates.AdminView) {
	inst, err := h.Instance.Get(r.Context())
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	if av.Name == "" {
		av.Name = inst.Name
	}
	av.RegistrationsOpen, av.AIFree = inst.RegistrationsOpen, inst.AIFree
	h.render(w, r, status, templates.Admin(h.page(w, r, "Instance settings"), av))
}

// saveAdmin changes what the form sends; a field it leaves out stays as it is.
func (h *Handler) saveAdmin(w http.ResponseWriter, r *http.Request) {
	if !h.admin(w, r) {
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	var c instance.Change
	if r.PostForm.Has("name") {
		name := r.PostFormValue("name")
		c.Name = &name
	}
	var err error
	if c.RegistrationsOpen, err = formSwitch(r, "registrations", "open", "closed"); err == nil {
		c.AIFree, err = formSwitch(r, "ai_free", "on", "off")
	}
	if err == nil {
		_, err = h.Instance.Update(ctx, auth.User(r.Context()), c)
	}
	if err != nil {
		if status, public := apperr.From(err); status < 500 {
			h.renderAdmin(w, r, status, templates.AdminView{Name: r.PostFormValue("name"), Error: public})
			return
		}
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?saved=1", http.StatusSeeOther)
}

// formSwitch reads a two-way radio choice: nil when the form leaves it out.
func formSwitch(r *http.Request, field, yes, no string) (*bool, error) {
	if !r.PostForm.Has(field) {
		return nil, nil
	}
	var v bool
	switch r.PostFormValue(field) {
	case yes:
		v = true
	case no:
	default:
		return nil, apperr.BadRequest(field + " is " + yes + " or " + no)
	}
	return &v, nil
}

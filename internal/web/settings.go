package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/templates"
)

// settingsRoutes registers the pages where people change settings.
func (h *Handler) settingsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /settings", h.settingsForm)
	mux.HandleFunc("POST /settings", h.form(h.saveSettings))
	mux.HandleFunc("POST /settings/profile", h.saveProfile)
	mux.HandleFunc("GET /admin", h.adminForm)
	mux.HandleFunc("POST /admin", h.form(h.saveAdmin))
	mux.HandleFunc("POST /admin/reports/{id}/resolve", h.form(h.resolveReport))
	h.domainBlockRoutes(mux)
}

func (h *Handler) settingsForm(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	h.renderSettings(w, r, http.StatusOK, templates.SettingsView{
		DefaultMedia: user.DefaultMedia, Locked: user.Account.ManuallyApprovesFollowers, Saved: r.URL.Query().Get("saved") == "1",
	})
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, sv templates.SettingsView) {
	user := auth.User(r.Context())
	sv.Handle = "@" + user.Account.Username + "@" + h.PublicURL.Host
	sv.AvatarURL = user.Account.IconURL
	if sv.ProfileError == "" {
		sv.DisplayName, sv.Bio = user.Account.DisplayName, user.Account.Summary
	}
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
	var c accounts.ProfileChange
	if r.PostForm.Has("default_media") {
		media := r.PostFormValue("default_media")
		c.DefaultMedia = &media
	}
	var err error
	c.Locked, err = formSwitch(r, "approve_followers", "manual", "auto")
	if err == nil {
		_, err = h.Profiles.Update(ctx, user, c)
	}
	if err != nil {
		if status, public := apperr.From(err); status < 500 {
			h.renderSettings(w, r, status, templates.SettingsView{
				DefaultMedia: user.DefaultMedia, Locked: user.Account.ManuallyApprovesFollowers, Error: public,
			})
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
	h.renderAdmin(w, r, http.StatusOK, templates.AdminView{
		Saved: r.URL.Query().Get("saved") == "1", Resolved: r.URL.Query().Get("resolved") == "1",
		BlockNotice: blockNotice(r.URL.Query()),
	})
}

func (h *Handler) renderAdmin(w http.ResponseWriter, r *http.Request, status int, av templates.AdminView) {
	inst, err := h.Instance.Get(r.Context())
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	if !av.Edited {
		av.Name, av.Description, av.Rules = inst.Name, inst.Description, inst.Rules // rules are stored one per line
	}
	av.RegistrationsOpen, av.AIFree = inst.RegistrationsOpen, inst.AIFree
	if err := h.domainBlockRows(r.Context(), &av); err != nil {
		h.errorPage(w, r, err)
		return
	}
	if err := h.moderationQueues(r.Context(), &av); err != nil {
		h.errorPage(w, r, err)
		return
	}
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
	if r.PostForm.Has("description") {
		d := r.PostFormValue("description")
		c.Description = &d
	}
	if r.PostForm.Has("rules") {
		rules := strings.Split(strings.ReplaceAll(r.PostFormValue("rules"), "\r\n", "\n"), "\n")
		c.Rules = &rules
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
			h.renderAdmin(w, r, status, templates.AdminView{
				Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), Rules: r.PostFormValue("rules"),
				Edited: true, Error: public,
			})
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

// saveProfile takes the profile form: display name, bio and, when a file is
// chosen, a new avatar. It is multipart, so it reads its own body (bounded
// by the avatar limit) and checks the CSRF token before acting.
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, media.MaxAvatarBytes+maxFormBytes)
	if err := r.ParseMultipartForm(media.MaxAvatarBytes + maxFormBytes); err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			h.profileError(w, r, apperr.TooLarge(fmt.Sprintf("The picture is larger than %d MB; please choose a smaller one.", media.MaxAvatarBytes>>20)),
				user.Account.DisplayName, user.Account.Summary)
			return
		}
		h.errorPage(w, r, apperr.BadRequest("The form could not be read."))
		return
	}
	defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files
	if !h.Auth.CheckCSRF(r) {
		h.errorPage(w, r, apperr.Forbidden("This form has expired or did not come from this site. Go back, reload the page and try again."))
		return
	}
	var c accounts.ProfileChange
	if r.PostForm.Has("display_name") {
		name := r.PostFormValue("display_name")
		c.DisplayName = &name
	}
	if r.PostForm.Has("bio") {
		bio := r.PostFormValue("bio")
		c.Bio = &bio
	}
	var err error
	if c.Avatar, err = media.AvatarFromForm(r); err != nil {
		h.profileError(w, r, err, r.PostFormValue("display_name"), r.PostFormValue("bio"))
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	if _, err := h.Profiles.Update(ctx, user, c); err != nil {
		h.profileError(w, r, err, r.PostFormValue("display_name"), r.PostFormValue("bio"))
		return
	}
	http.Redirect(w, r, "/settings?saved=1", http.StatusSeeOther)
}

// profileError shows the settings again with the reason and the name and
// bio to keep in the form.
func (h *Handler) profileError(w http.ResponseWriter, r *http.Request, err error, name, bio string) {
	status, public := apperr.From(err)
	if status >= 500 {
		h.errorPage(w, r, err)
		return
	}
	user := auth.User(r.Context())
	h.renderSettings(w, r, status, templates.SettingsView{
		DefaultMedia: user.DefaultMedia, Locked: user.Account.ManuallyApprovesFollowers,
		DisplayName: name, Bio: bio, ProfileError: public,
	})
}

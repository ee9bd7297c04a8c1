package api

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/model"
)

// The requester's own account and settings, under Mastodon's names.

// credentialsJSON is an account with what only its owner sees.
type credentialsJSON struct {
	accountJSON
	DefaultMedia string `json:"default_media"` // the filter timelines use when a request names none
}

func credentialsView(u *model.User) credentialsJSON {
	return credentialsJSON{accountJSON: accountView(u.Account), DefaultMedia: u.DefaultMedia}
}

func (h *Handler) verifyCredentials(w http.ResponseWriter, r *http.Request, user *model.User) {
	httpx.JSON(w, http.StatusOK, credentialsView(user))
}

type credentialsPatch struct {
	DisplayName  *string `json:"display_name"`
	Note         *string `json:"note"` // the bio, plain text
	DefaultMedia *string `json:"default_media"`
	Locked       *bool   `json:"locked"` // approve followers manually
}

// updateCredentials takes JSON, or a form as Mastodon's clients send it:
// multipart when it carries an avatar. A form's fields we do not keep
// (header, bot, fields_attributes, source[…]) are ignored as Mastodon
// ignores what it does not know.
func (h *Handler) updateCredentials(w http.ResponseWriter, r *http.Request, user *model.User) {
	var c accounts.ProfileChange
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" || mt == "application/x-www-form-urlencoded" {
		c, err = credentialsForm(w, r, mt)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll() //nolint:errcheck // temporary files
		}
	} else {
		var in credentialsPatch
		err = httpx.DecodeJSON(r, maxJSONBytes, &in)
		c = accounts.ProfileChange{DisplayName: in.DisplayName, Bio: in.Note, Locked: in.Locked, DefaultMedia: in.DefaultMedia}
	}
	if err == nil {
		user, err = h.Profiles.Update(r.Context(), user, c)
	}
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, credentialsView(user))
}

// maxCredentialsForm bounds a form's body: besides the avatar it may carry a
// header picture, which Assay ignores but Mastodon accepts up to 16 MB.
const maxCredentialsForm = 16<<20 + maxJSONBytes

func credentialsForm(w http.ResponseWriter, r *http.Request, mediaType string) (accounts.ProfileChange, error) {
	var c accounts.ProfileChange
	r.Body = http.MaxBytesReader(w, r.Body, maxCredentialsForm)
	var err error
	if mediaType == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20) // files beyond this wait on disk
	} else {
		err = r.ParseForm()
	}
	if errors.As(err, new(*http.MaxBytesError)) {
		return c, apperr.TooLarge(fmt.Sprintf("the form is larger than %d MB", maxCredentialsForm>>20))
	}
	if err != nil {
		return c, apperr.BadRequest("the form could not be read: " + err.Error())
	}
	field := func(name string) *string {
		if !r.PostForm.Has(name) {
			return nil
		}
		v := r.PostFormValue(name)
		return &v
	}
	c.DisplayName, c.Bio, c.DefaultMedia = field("display_name"), field("note"), field("default_media")
	if v := field("locked"); v != nil && *v != "" {
		locked, ok := formBool(*v)
		if !ok {
			return c, apperr.BadRequest("locked is true or false")
		}
		c.Locked = &locked
	}
	c.Avatar, err = media.AvatarFromForm(r)
	return c, err
}

// formBool reads a boolean as Rails, and so Mastodon, reads one from a form.
func formBool(v string) (value, ok bool) {
	switch strings.ToLower(v) {
	case "1", "t", "true", "on", "yes":
		return true, true
	case "0", "f", "false", "off", "no":
		return false, true
	}
	return false, false
}

package api

import (
	"net/http"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/httpx"
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

func (h *Handler) updateCredentials(w http.ResponseWriter, r *http.Request, user *model.User) {
	var in credentialsPatch
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	prefs := accounts.Preferences{DefaultMedia: in.DefaultMedia}
	// The profile is saved (and federated) first, but only once the
	// preferences are known to be acceptable: a refused request changes nothing.
	err := prefs.Check()
	if err == nil && (in.DisplayName != nil || in.Note != nil) {
		var a *model.Account
		if a, err = h.Profiles.Update(r.Context(), user, accounts.ProfileChange{DisplayName: in.DisplayName, Bio: in.Note}); err == nil {
			changed := *user
			changed.Account = a
			user = &changed
		}
	}
	var u *model.User
	if err == nil {
		u, err = h.Accounts.UpdatePreferences(r.Context(), user, prefs)
	}
	if err == nil && in.Locked != nil && *in.Locked != u.Account.ManuallyApprovesFollowers {
		if err = h.Federation.SetManualApproval(r.Context(), u.Account, *in.Locked); err == nil {
			acct := *u.Account
			acct.ManuallyApprovesFollowers = *in.Locked
			u.Account = &acct
		}
	}
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, credentialsView(u))
}

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
	DefaultMedia *string `json:"default_media"`
	Locked       *bool   `json:"locked"` // approve followers manually
}

func (h *Handler) updateCredentials(w http.ResponseWriter, r *http.Request, user *model.User) {
	var in credentialsPatch
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	u, err := h.Accounts.UpdatePreferences(r.Context(), user, accounts.Preferences{DefaultMedia: in.DefaultMedia})
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

package api

import (
	"net/http"

	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/internal/model"
)

func (h *Handler) describe(inst *model.Instance) instance.View {
	return instance.Describe(inst, h.Domain, h.Version, h.Generator)
}

func (h *Handler) getInstance(w http.ResponseWriter, r *http.Request) {
	inst, err := h.Instance.Get(r.Context())
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, h.describe(inst))
}

type instancePatch struct {
	Name              *string   `json:"name"`
	Description       *string   `json:"description"`
	Rules             *[]string `json:"rules"`
	AIFree            *bool     `json:"ai_free"`
	RegistrationsOpen *bool     `json:"registrations_open"`
}

func (h *Handler) patchInstance(w http.ResponseWriter, r *http.Request, user *model.User) {
	var in instancePatch
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	inst, err := h.Instance.Update(r.Context(), user, instance.Change{
		Name: in.Name, Description: in.Description, Rules: in.Rules, AIFree: in.AIFree, RegistrationsOpen: in.RegistrationsOpen,
	})
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, h.describe(inst))
}

package web

import (
	"net/http"

	"github.com/assay-social/assay/internal/instance"
	"github.com/assay-social/assay/templates"
)

// about serves /about: the instance's description, rules and stance on AI clips.
func (h *Handler) about(w http.ResponseWriter, r *http.Request) {
	inst, err := h.Instance.Get(r.Context())
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, templates.About(h.page(w, r, "About"), templates.AboutView{
		Name: inst.Name, Domain: h.PublicURL.Host, Description: inst.Description, Rules: instance.Rules(inst),
		AIFree: inst.AIFree, RegistrationsOpen: inst.RegistrationsOpen,
	}))
}

package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/templates"
)

// domainBlockRoutes registers the admin's domain-block forms. They go
// through the federation service like the API and the CLI, so a block made
// here is checked and stored the same way.
func (h *Handler) domainBlockRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/domain_blocks", h.form(h.blockDomain))
	mux.HandleFunc("POST /admin/domain_blocks/{domain}/lift", h.form(h.liftDomainBlock))
}

// blockDomain adds a block, or changes the one the domain already has.
func (h *Handler) blockDomain(w http.ResponseWriter, r *http.Request) {
	if !h.admin(w, r) {
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	b, err := h.Federation.BlockDomain(ctx, r.PostFormValue("domain"), r.PostFormValue("severity"), strings.TrimSpace(r.PostFormValue("reason")))
	if err != nil {
		h.domainBlockError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?blocked="+url.QueryEscape(b.Domain)+"#blocks-heading", http.StatusSeeOther)
}

// liftDomainBlock lifts a block; a domain that is not blocked is a 404, as
// when the block was lifted from another tab or the command line.
func (h *Handler) liftDomainBlock(w http.ResponseWriter, r *http.Request) {
	if !h.admin(w, r) {
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	domain := strings.ToLower(r.PathValue("domain"))
	lifted, err := h.Federation.UnblockDomain(ctx, domain)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	if !lifted {
		h.domainBlockError(w, r, apperr.NotFound(domain+" is not blocked: the block may have been lifted already."))
		return
	}
	http.Redirect(w, r, "/admin?lifted="+url.QueryEscape(domain)+"#blocks-heading", http.StatusSeeOther)
}

// domainBlockError shows the admin page again with why a block was refused,
// with the status the API would answer.
func (h *Handler) domainBlockError(w http.ResponseWriter, r *http.Request, err error) {
	status, public := apperr.From(err)
	if status >= 500 {
		h.errorPage(w, r, err)
		return
	}
	h.renderAdmin(w, r, status, templates.AdminView{BlockError: public, BlockTyped: templates.DomainBlockView{
		Domain: r.PostFormValue("domain"), Severity: r.PostFormValue("severity"), Reason: r.PostFormValue("reason"),
	}})
}

// domainBlockRows fills the admin page's list of domain blocks, by domain.
func (h *Handler) domainBlockRows(ctx context.Context, av *templates.AdminView) error {
	bs, err := h.Store.DomainBlocks(ctx)
	if err != nil {
		return err
	}
	av.DomainBlocks = make([]templates.DomainBlockView, 0, len(bs))
	for _, b := range bs {
		av.DomainBlocks = append(av.DomainBlocks, templates.DomainBlockView{
			Domain: b.Domain, Severity: b.Severity, Reason: b.Reason, CreatedAt: b.CreatedAt,
		})
	}
	// The store already orders by domain; sorting again keeps the page's
	// promise whatever the dialect's collation does with ports and digits.
	slices.SortFunc(av.DomainBlocks, func(a, b templates.DomainBlockView) int { return strings.Compare(a.Domain, b.Domain) })
	return nil
}

// blockNotice says what the last add or lift did, from the query the forms
// redirect to (?blocked=DOMAIN or ?lifted=DOMAIN); "" when there is none.
// The domain comes from the address, so anyone can put words there: only
// something shaped like a domain is repeated, and templ escapes it.
func blockNotice(q url.Values) string {
	if d := noticeDomain(q.Get("blocked")); d != "" {
		return "The block on " + d + " is saved."
	}
	if d := noticeDomain(q.Get("lifted")); d != "" {
		return "The block on " + d + " is lifted."
	}
	return ""
}

func noticeDomain(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	if len(d) > 253 || strings.ContainsFunc(d, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(".-:[]_", r))
	}) {
		return ""
	}
	return d
}

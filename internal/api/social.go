package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

func (h *Handler) socialRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/follows", h.user(h.follow))
	mux.HandleFunc("DELETE /api/v1/follows", h.user(h.unfollow))
	mux.HandleFunc("GET /api/v1/follow_requests", h.user(h.followRequests))
	mux.HandleFunc("POST /api/v1/follow_requests/{id}/authorize", h.user(h.authorizeFollow))
	mux.HandleFunc("POST /api/v1/follow_requests/{id}/reject", h.user(h.rejectFollow))
	mux.HandleFunc("GET /api/v1/accounts/verify_credentials", h.user(h.verifyCredentials))
	mux.HandleFunc("PATCH /api/v1/accounts/update_credentials", h.user(h.updateCredentials))
	mux.HandleFunc("GET /api/v1/accounts/{acct}", h.getAccount)
	mux.HandleFunc("GET /api/v1/accounts/{acct}/videos", h.accountVideos)
	mux.HandleFunc("GET /api/v1/admin/domain_blocks", h.user(h.listDomainBlocks))
	mux.HandleFunc("POST /api/v1/admin/domain_blocks", h.user(h.blockDomain))
	mux.HandleFunc("DELETE /api/v1/admin/domain_blocks/{domain}", h.user(h.unblockDomain))
}

type followIn struct {
	Target string `json:"target"`
}

func (h *Handler) follow(w http.ResponseWriter, r *http.Request, user *model.User) {
	var in followIn
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	f, err := h.Federation.Follow(r.Context(), user.Account, in.Target)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"state": f.State})
}

func (h *Handler) unfollow(w http.ResponseWriter, r *http.Request, user *model.User) {
	target := r.URL.Query().Get("target")
	if target == "" {
		httpx.JSONError(w, r, apperr.BadRequest("name the account to unfollow: ?target=NAME@DOMAIN"))
		return
	}
	if err := h.Federation.Unfollow(r.Context(), user.Account, target); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) followRequests(w http.ResponseWriter, r *http.Request, user *model.User) {
	pending, err := h.Store.PendingFollowers(r.Context(), user.AccountID)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	out := []map[string]any{}
	for _, f := range pending {
		a, err := h.Store.AccountByID(r.Context(), f.AccountID)
		if err != nil {
			continue
		}
		out = append(out, map[string]any{"id": f.ID, "account": accountView(a), "created_at": f.CreatedAt})
	}
	httpx.JSON(w, http.StatusOK, out)
}

func (h *Handler) authorizeFollow(w http.ResponseWriter, r *http.Request, user *model.User) {
	if err := h.Federation.ApproveFollower(r.Context(), user.Account, r.PathValue("id")); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"state": model.FollowAccepted})
}

func (h *Handler) rejectFollow(w http.ResponseWriter, r *http.Request, user *model.User) {
	if err := h.Federation.RejectFollower(r.Context(), user.Account, r.PathValue("id")); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) {
	a, err := h.Federation.ResolveActor(askedByViewer(r), r.PathValue("acct"))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, accountView(a))
}

func (h *Handler) accountVideos(w http.ResponseWriter, r *http.Request) {
	a, err := h.Federation.ResolveActor(askedByViewer(r), r.PathValue("acct"))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	vs, err := h.Videos.Timeline(r.Context(), auth.User(r.Context()), store.TimelineQuery{
		Kind: store.TimelineAccount, AccountID: a.ID, Media: q.Get("media"), MaxID: q.Get("max_id"), Limit: limit,
	})
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, videosView(vs))
}

func requireAdmin(user *model.User) error {
	if !user.Admin {
		return apperr.Forbidden("only an admin can do this")
	}
	return nil
}

func (h *Handler) listDomainBlocks(w http.ResponseWriter, r *http.Request, user *model.User) {
	if err := requireAdmin(user); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	bs, err := h.Store.DomainBlocks(r.Context())
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	out := make([]DomainBlockJSON, 0, len(bs))
	for _, b := range bs {
		out = append(out, DomainBlockView(b))
	}
	httpx.JSON(w, http.StatusOK, out)
}

type blockIn struct {
	Domain   string `json:"domain"`
	Severity string `json:"severity"`
	Reason   string `json:"reason"`
}

func (h *Handler) blockDomain(w http.ResponseWriter, r *http.Request, user *model.User) {
	if err := requireAdmin(user); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	var in blockIn
	if err := httpx.DecodeJSON(r, maxJSONBytes, &in); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	b, err := h.Federation.BlockDomain(r.Context(), in.Domain, in.Severity, in.Reason)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, DomainBlockView(b))
}

func (h *Handler) unblockDomain(w http.ResponseWriter, r *http.Request, user *model.User) {
	if err := requireAdmin(user); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	if _, err := h.Federation.UnblockDomain(r.Context(), r.PathValue("domain")); err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// askedByViewer bounds the lookups on other servers a request makes for
// its viewer (federation.AskedBy): none for a caller without a token.
func askedByViewer(r *http.Request) context.Context {
	var viewer *model.Account
	if u := auth.User(r.Context()); u != nil {
		viewer = u.Account
	}
	return federation.AskedBy(r.Context(), viewer)
}

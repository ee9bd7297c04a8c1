package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/templates"
)

// maxReportsShown bounds the reports queue on /admin; older ones show once
// these are resolved.
const maxReportsShown = 50

// moderationQueues fills the admin page's reports and queue health. Redis
// being unreachable is shown on the page rather than failing it: that is
// when an admin most needs the rest of the page.
func (h *Handler) moderationQueues(ctx context.Context, av *templates.AdminView) error {
	reports, err := h.Store.Reports(ctx)
	if err != nil {
		return err
	}
	for _, rep := range reports[:min(len(reports), maxReportsShown)] {
		rv := templates.ReportView{ID: rep.ID, Comment: plainText(rep.Content), When: rep.CreatedAt}
		if a, err := h.Store.AccountByID(ctx, rep.AccountID); err == nil {
			rv.Reporter, rv.ReporterURL = "@"+a.Acct(), a.URL
		}
		if a, err := h.Store.AccountByID(ctx, rep.TargetAccountID); err == nil {
			rv.Target, rv.TargetURL = "@"+a.Acct(), "/@"+a.Username
		}
		json.Unmarshal([]byte(rep.ObjectURIs), &rv.Objects) //nolint:errcheck // written by us as a JSON array
		av.Reports = append(av.Reports, rv)
	}
	queues, err := h.Jobs.Health()
	if err != nil {
		httpx.Logger(ctx).Error("reading queue health", "err", err)
		av.QueueError = "The job queues cannot be read: Redis does not answer. Work is kept in the database and will be queued again when it is back."
		return nil
	}
	for _, q := range queues {
		av.Queues = append(av.Queues, templates.QueueView{
			Name: q.Name, Pending: q.Pending, Active: q.Active, Scheduled: q.Scheduled, Retry: q.Retry, Archived: q.Archived,
			ProcessedToday: q.Processed, FailedToday: q.Failed,
		})
	}
	return nil
}

// resolveReport closes a report; only admins may.
func (h *Handler) resolveReport(w http.ResponseWriter, r *http.Request) {
	if !h.admin(w, r) {
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	if err := h.Store.ResolveReport(ctx, r.PathValue("id"), time.Now().UTC()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = apperr.NotFound("There is no open report with that id: it may have been resolved already.")
		}
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?resolved=1#reports-heading", http.StatusSeeOther)
}

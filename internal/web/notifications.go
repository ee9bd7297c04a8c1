package web

import (
	"net/http"
	"regexp"
	"time"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/templates"
)

// notificationsPerPage is how many notifications one page lists.
const notificationsPerPage = 20

func (h *Handler) notificationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /notifications", h.notifications)
}

// notifications lists the viewer's notifications, newest first, and marks
// the ones shown as read: the header's badge counts what is left.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	maxID := r.URL.Query().Get("max_id")
	ns, err := h.Store.Notifications(r.Context(), user.AccountID, maxID, notificationsPerPage)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	var nv templates.NotificationsView
	ids := make([]string, 0, len(ns))
	for _, n := range ns {
		nv.Items = append(nv.Items, notificationView(n))
		ids = append(ids, n.ID)
	}
	if len(ns) == notificationsPerPage {
		nv.OlderURL = link("/notifications", "max_id", ns[len(ns)-1].ID)
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	if err := h.Store.MarkNotificationsRead(ctx, user.AccountID, ids, time.Now().UTC()); err != nil {
		h.errorPage(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, templates.Notifications(h.page(w, r, "Notifications"), nv))
}

// notificationActions says what each kind of notification reports.
var notificationActions = map[string]string{
	model.NotifyFollow:        "followed you",
	model.NotifyFollowRequest: "asked to follow you",
	model.NotifyLike:          "liked your clip",
	model.NotifyBoost:         "boosted your clip",
	model.NotifyComment:       "commented on your clip",
}

func notificationView(n *model.Notification) templates.NotificationView {
	out := templates.NotificationView{
		Kind: n.Kind, Action: notificationActions[n.Kind], When: n.CreatedAt, Unread: n.ReadAt.IsZero(),
	}
	if a := n.From; a != nil {
		out.FromName, out.FromHandle, out.FromURL = a.DisplayName, "@"+a.Acct(), a.URL
		if out.FromName == "" {
			out.FromName = a.Username
		}
		if a.IsLocal() {
			out.FromURL = "/@" + a.Username
		}
	}
	if v := n.Video; v != nil {
		out.VideoTitle, out.VideoURL = v.Title, "/videos/"+v.ID
	}
	if n.Kind == model.NotifyFollowRequest {
		out.AnswerURL = "/follow_requests"
	}
	if c := n.Comment; c != nil {
		out.Comment = plainText(c.Content)
	}
	return out
}

// lineBreaks are the HTML line and paragraph ends that plain text keeps.
var lineBreaks = regexp.MustCompile(`(?i)<br\s*/?>|</p>\s*`)

// plainText turns sanitized HTML (a comment, a report) into text that keeps
// its line breaks, for pages that show it with white-space: pre-line.
func plainText(html string) string {
	return ap.StripTags(lineBreaks.ReplaceAllString(html, "\n"))
}

package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
)

// Notifications limits: per page by default, and at most.
const (
	defaultNotificationLimit = 20
	maxNotificationLimit     = 40
)

func (h *Handler) notificationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/notifications", h.user(h.listNotifications))
}

// notificationJSON is Mastodon's Notification shape under Assay's names:
// type is follow, follow_request, like, boost or comment; video is the clip
// liked, boosted or commented on; comment is the comment.
type notificationJSON struct {
	ID        string       `json:"id"`
	Type      string       `json:"type"`
	CreatedAt time.Time    `json:"created_at"`
	Read      bool         `json:"read"`
	Account   accountJSON  `json:"account"`
	Video     *videoJSON   `json:"video,omitempty"`
	Comment   *commentJSON `json:"comment,omitempty"`
}

func notificationView(n *model.Notification) notificationJSON {
	out := notificationJSON{ID: n.ID, Type: n.Kind, CreatedAt: n.CreatedAt, Read: !n.ReadAt.IsZero()}
	if n.From != nil {
		out.Account = accountView(n.From)
	}
	if n.Video != nil {
		v := videoView(n.Video)
		out.Video = &v
	}
	if n.Comment != nil {
		n.Comment.Account = n.From
		c := commentView(n.Comment)
		out.Comment = &c
	}
	return out
}

// listNotifications pages the requester's notifications, newest first:
// ?limit= (20, at most 40) and ?max_id= for older ones. Reading them here
// does not mark them read; the web page does.
func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request, user *model.User) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = defaultNotificationLimit
	}
	ns, err := h.Store.Notifications(r.Context(), user.AccountID, q.Get("max_id"), min(limit, maxNotificationLimit))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	out := make([]notificationJSON, 0, len(ns))
	for _, n := range ns {
		out = append(out, notificationView(n))
	}
	httpx.JSON(w, http.StatusOK, out)
}

package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/auth"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/httpx"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/templates"
)

// maxPageComments is how many comments the watch page shows (as many as the
// API lists).
const maxPageComments = 200

// socialRoutes registers the forms of following, liking, boosting and
// commenting, and the pages around them. Every form comes back to the page
// it was sent from, so all of it works without JavaScript.
func (h *Handler) socialRoutes(mux *http.ServeMux) {
	for _, verb := range []struct {
		path, kind string
		add        bool
	}{
		{"like", model.ReactionLike, true}, {"unlike", model.ReactionLike, false},
		{"boost", model.ReactionBoost, true}, {"unboost", model.ReactionBoost, false},
	} {
		mux.HandleFunc("POST /videos/{id}/"+verb.path, h.form(h.react(verb.kind, verb.add)))
	}
	mux.HandleFunc("POST /videos/{id}/comments", h.form(h.comment))
	mux.HandleFunc("POST /follow", h.form(h.follow))
	mux.HandleFunc("POST /unfollow", h.form(h.unfollow))
	mux.HandleFunc("POST /remote_follow", h.form(h.remoteFollow))
	mux.HandleFunc("GET /authorize_interaction", h.authorizeInteraction)
	mux.HandleFunc("GET /follow_requests", h.followRequests)
	mux.HandleFunc("POST /follow_requests/{id}/authorize", h.form(h.answerFollowRequest(true)))
	mux.HandleFunc("POST /follow_requests/{id}/reject", h.form(h.answerFollowRequest(false)))
}

// toLoginFrom sends a logged-out visitor who sent a form to the login form,
// and afterwards back to the page the form was on (a form's own address
// answers only POST).
func toLoginFrom(w http.ResponseWriter, r *http.Request, page string) {
	http.Redirect(w, r, link("/login", "next", page), http.StatusSeeOther)
}

// profilePath is an account's page on this server: /@NAME or /@NAME@DOMAIN.
func profilePath(acct string) string { return "/@" + url.PathEscape(acct) }

// profileLink is where a name on a page leads: the account's page here,
// where the Follow button is — or, for a remote actor without a usable
// preferredUsername (stored under its id), its own page.
func profileLink(a *model.Account) string {
	if strings.ContainsAny(a.Username, "/@") {
		return cmp.Or(a.URL, a.URI)
	}
	return profilePath(a.Acct())
}

// react likes, unlikes, boosts or unboosts the clip of the watch page.
func (h *Handler) react(kind string, add bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		back := "/videos/" + url.PathEscape(r.PathValue("id"))
		user := auth.User(r.Context())
		if user == nil {
			toLoginFrom(w, r, back)
			return
		}
		ctx, cancel := detached(r.Context())
		defer cancel()
		// Only a clip this viewer may watch can be liked or boosted.
		v, err := h.Videos.Get(ctx, user, r.PathValue("id"))
		if err == nil {
			change := h.Federation.React
			if !add {
				change = h.Federation.Unreact
			}
			_, err = change(ctx, user.Account, v.ID, kind)
		}
		if err != nil {
			h.errorPage(w, r, err)
			return
		}
		http.Redirect(w, r, back+"#reactions", http.StatusSeeOther)
	}
}

// comment posts a comment from the watch page.
func (h *Handler) comment(w http.ResponseWriter, r *http.Request) {
	back := "/videos/" + url.PathEscape(r.PathValue("id"))
	user := auth.User(r.Context())
	if user == nil {
		toLoginFrom(w, r, back)
		return
	}
	ctx, cancel := detached(r.Context())
	defer cancel()
	v, err := h.Videos.Get(ctx, user, r.PathValue("id"))
	var c *model.Comment
	if err == nil {
		c, err = h.Federation.Comment(ctx, user.Account, v.ID, r.PostFormValue("text"))
	}
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, back+"#comment-"+c.ID, http.StatusSeeOther)
}

// follow follows the account a profile shows (asks to, when it approves
// its followers).
func (h *Handler) follow(w http.ResponseWriter, r *http.Request) {
	h.changeFollow(w, r, func(user *model.User, account string) error {
		ctx, cancel := detached(r.Context())
		defer cancel()
		_, err := h.Federation.Follow(ctx, user.Account, account)
		return err
	})
}

// unfollow ends a follow or withdraws a request.
func (h *Handler) unfollow(w http.ResponseWriter, r *http.Request) {
	h.changeFollow(w, r, func(user *model.User, account string) error {
		ctx, cancel := detached(r.Context())
		defer cancel()
		return h.Federation.Unfollow(ctx, user.Account, account)
	})
}

func (h *Handler) changeFollow(w http.ResponseWriter, r *http.Request, change func(*model.User, string) error) {
	account := strings.TrimPrefix(strings.TrimSpace(r.PostFormValue("account")), "@")
	if account == "" {
		h.errorPage(w, r, apperr.BadRequest("The form does not say whom to follow."))
		return
	}
	back := profilePath(account)
	user := auth.User(r.Context())
	if user == nil {
		toLoginFrom(w, r, back)
		return
	}
	if err := change(user, account); err != nil {
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// remoteFollow takes a visitor's address on another server (me@their.server)
// and sends them to their server's page for following someone elsewhere,
// found through its WebFinger subscribe template, naming our account.
func (h *Handler) remoteFollow(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := detached(r.Context())
	defer cancel()
	acct, err := h.Accounts.LocalAccount(ctx, strings.TrimSpace(r.PostFormValue("account")))
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	rf := templates.RemoteFollowView{Account: acct.Username, Handle: strings.TrimSpace(r.PostFormValue("handle"))}
	if _, domain, ok := strings.Cut(strings.TrimPrefix(rf.Handle, "@"), "@"); ok && strings.EqualFold(domain, h.PublicURL.Host) {
		toLoginFrom(w, r, profilePath(acct.Username)) // someone of ours: log in here
		return
	}
	to, err := h.Federation.RemoteFollowURL(federation.AskedFrom(ctx, httpx.ClientIP(r)), rf.Handle, acct.Username+"@"+h.PublicURL.Host)
	if err != nil {
		status, public := apperr.From(err)
		if status >= 500 && status != http.StatusBadGateway { // a 502 says what their server did
			h.errorPage(w, r, err)
			return
		}
		rf.Error = public
		h.render(w, r, status, templates.RemoteFollow(h.page(w, r, "Follow @"+acct.Username), rf))
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// authorizeInteraction is where another server's people land to follow
// someone from here (our WebFinger's subscribe template), and where the
// "follow someone on another server" box leads: it finds the account (or
// the clip) that uri names and shows its page here, with the Follow button.
func (h *Handler) authorizeInteraction(w http.ResponseWriter, r *http.Request) {
	if auth.User(r.Context()) == nil {
		toLogin(w, r)
		return
	}
	ctx := federation.AskedBy(r.Context(), auth.User(r.Context()).Account)
	uri := strings.TrimSpace(r.URL.Query().Get("uri"))
	if uri == "" {
		h.errorPage(w, r, apperr.BadRequest("Say whom to look for: an address like name@their.server, or a link to their profile."))
		return
	}
	var acct *model.Account
	var err error
	if strings.HasPrefix(uri, "https://") || strings.HasPrefix(uri, "http://") {
		var v *model.Video
		if v, acct, err = h.Federation.ResolveURL(ctx, uri); v != nil {
			http.Redirect(w, r, "/videos/"+v.ID, http.StatusSeeOther)
			return
		}
	} else {
		acct, err = h.Federation.ResolveActor(ctx, uri)
	}
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, profilePath(acct.Acct()), http.StatusSeeOther)
}

// remoteProfile is the page of an account of another server, /@NAME@DOMAIN,
// with the clips of theirs that reached this server. A logged-in viewer
// may look up anyone (their server is asked through the guarded client);
// a visitor sees only accounts this server knows already, so strangers
// cannot make it fetch from any address they like.
func (h *Handler) remoteProfile(w http.ResponseWriter, r *http.Request, handle string) {
	name, domain, _ := strings.Cut(handle, "@")
	if strings.EqualFold(domain, h.PublicURL.Host) {
		http.Redirect(w, r, profilePath(name), http.StatusMovedPermanently)
		return
	}
	viewer := auth.User(r.Context())
	var acct *model.Account
	var err error
	if viewer != nil {
		acct, err = h.Federation.ResolveActor(federation.AskedBy(r.Context(), viewer.Account), handle)
	} else if acct, err = h.Store.AccountByName(r.Context(), name, strings.ToLower(domain)); errors.Is(err, store.ErrNotFound) {
		err = apperr.NotFound("This server does not know @" + handle + " yet. Log in to look them up.")
	}
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	if acct.IsLocal() { // an actor URL's host may be ours under another name
		http.Redirect(w, r, profilePath(acct.Username), http.StatusMovedPermanently)
		return
	}
	media, err := mediaFilter(r, viewer)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	vs, err := h.Videos.Timeline(r.Context(), viewer, store.TimelineQuery{
		Kind: store.TimelineAccount, AccountID: acct.ID, Media: media, MaxID: r.URL.Query().Get("max_id"),
	})
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	display := acct.DisplayName
	if display == "" {
		display = acct.Username
	}
	p := h.page(w, r, display)
	path := profilePath(acct.Acct())
	tv := h.timelineView(r.Context(), p, "Clips by "+display, media, vs, func(media, maxID string) string {
		return link(path, "media", media, "max_id", maxID)
	})
	fv := h.followView(r, viewer, acct)
	empty := "None of their clips has reached this server yet."
	if !fv.Following {
		empty += " Follow them to see their new ones here."
	}
	tv.Empty = emptyText(p, media, empty)
	h.render(w, r, http.StatusOK, templates.Profile(p, templates.ProfileView{
		DisplayName: display, Handle: "@" + acct.Acct(), Summary: ap.StripTags(acct.Summary), AvatarURL: acct.IconURL,
		Follow: fv, Timeline: tv,
	}))
}

// followView is what a profile offers viewer about following a.
func (h *Handler) followView(r *http.Request, viewer *model.User, a *model.Account) templates.FollowView {
	fv := templates.FollowView{
		Account: a.Acct(), Locked: a.ManuallyApprovesFollowers,
		LoginURL: link("/login", "next", profilePath(a.Acct())),
	}
	if !a.IsLocal() {
		fv.OriginURL = cmp.Or(a.URL, a.URI)
	}
	switch {
	case viewer == nil:
		fv.RemoteFollow = a.IsLocal()
	case viewer.AccountID != a.ID:
		fv.CanFollow = true
		f, err := h.Store.FollowBetween(r.Context(), viewer.AccountID, a.ID)
		if err == nil {
			fv.Following, fv.Requested = f.State == model.FollowAccepted, f.State == model.FollowPending
		} else if !errors.Is(err, store.ErrNotFound) {
			httpx.Logger(r.Context()).Warn("reading a follow", "err", err)
		}
	}
	return fv
}

// watchSocial adds to the watch page what the viewer did with the clip and
// its comments.
func (h *Handler) watchSocial(r *http.Request, v *model.Video, vv *templates.VideoView) error {
	ctx := r.Context()
	if user := auth.User(ctx); user != nil {
		vv.SocialScript = h.Assets.URL("social.js")
		for _, reaction := range []struct {
			kind string
			on   *bool
		}{{model.ReactionLike, &vv.Liked}, {model.ReactionBoost, &vv.Boosted}} {
			_, err := h.Store.ReactionBy(ctx, reaction.kind, user.AccountID, v.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			*reaction.on = err == nil
		}
	}
	cs, err := h.Store.Comments(ctx, v.ID, maxPageComments)
	if err != nil {
		return err
	}
	for _, c := range cs {
		cv := templates.CommentView{ID: c.ID, HTML: c.Content, Published: c.CreatedAt}
		if a := c.Account; a != nil {
			cv.Author, cv.AuthorHandle, cv.AuthorURL = cmp.Or(a.DisplayName, a.Username), "@"+a.Acct(), profileLink(a)
		}
		vv.Thread = append(vv.Thread, cv)
	}
	return nil
}

// followRequests lists the requests to follow the viewer that wait for an answer.
func (h *Handler) followRequests(w http.ResponseWriter, r *http.Request) {
	user := auth.User(r.Context())
	if user == nil {
		toLogin(w, r)
		return
	}
	pending, err := h.Store.PendingFollowers(r.Context(), user.AccountID)
	if err != nil {
		h.errorPage(w, r, err)
		return
	}
	v := templates.FollowRequestsView{Locked: user.Account.ManuallyApprovesFollowers}
	switch r.URL.Query().Get("done") {
	case "approved":
		v.Done = "Approved: they follow you now."
	case "rejected":
		v.Done = "Rejected: they do not follow you."
	}
	for _, f := range pending {
		a, err := h.Store.AccountByID(r.Context(), f.AccountID)
		if err != nil {
			h.errorPage(w, r, err)
			return
		}
		v.Requests = append(v.Requests, templates.FollowRequestView{
			ID: f.ID, Name: cmp.Or(a.DisplayName, a.Username), Handle: "@" + a.Username + "@" + cmp.Or(a.Domain, h.PublicURL.Host),
			ProfileURL: profileLink(a), Requested: f.CreatedAt,
		})
	}
	h.render(w, r, http.StatusOK, templates.FollowRequests(h.page(w, r, "Follow requests"), v))
}

// answerFollowRequest approves or rejects a request to follow the viewer;
// the domain service finds it only among the viewer's own requests.
func (h *Handler) answerFollowRequest(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user := auth.User(r.Context())
		if user == nil {
			toLoginFrom(w, r, "/follow_requests")
			return
		}
		ctx, cancel := detached(r.Context())
		defer cancel()
		answer, done := h.Federation.RejectFollower, "rejected"
		if approve {
			answer, done = h.Federation.ApproveFollower, "approved"
		}
		if err := answer(ctx, user.Account, r.PathValue("id")); err != nil {
			h.errorPage(w, r, err)
			return
		}
		http.Redirect(w, r, "/follow_requests?done="+done, http.StatusSeeOther)
	}
}

package federation

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
)

// Lookups a person may make this server do on other servers (a profile or
// clip not known here yet, a handle typed into the search box), per
// LookupWindow; what is already known costs nothing.
const (
	LookupsPerWindow = 30
	LookupWindow     = time.Minute
)

// errLookupRefused is the cause of mayFetch's refusals: a caller holding a
// stale copy of what it wanted shows that instead.
var errLookupRefused = errors.New("lookup refused")

type askedByKey struct{}

// asker is who a request looks things up for; one request is one lookup
// however many documents it fetches (WebFinger, actor, clip).
type asker struct {
	budgetKey string // "": a visitor, who may not make this server fetch
	once      sync.Once
	err       error
}

// AskedBy marks ctx as a request of viewer (nil for a visitor): fetches
// from other servers made under it are bounded. A visitor makes none (it
// sees what this server knows already), so nobody can make it fetch from
// any address they like; a person makes at most LookupsPerWindow lookups
// per window. Work the server does on its own (inbox, deliveries) is not
// marked and not bounded.
func AskedBy(ctx context.Context, viewer *model.Account) context.Context {
	a := &asker{}
	if viewer != nil {
		a.budgetKey = viewer.ID
	}
	return context.WithValue(ctx, askedByKey{}, a)
}

// AskedFrom marks ctx as a visitor's request that may make this server
// fetch, within the same budget per client address: "Follow from your own
// server", which must ask the visitor's server.
func AskedFrom(ctx context.Context, address string) context.Context {
	// One IPv6 network (/64) is one client: its holder has all its addresses.
	if a, err := netip.ParseAddr(address); err == nil {
		address = a.Unmap().String()
		if a.Unmap().Is6() {
			p, _ := a.Prefix(64)
			address = p.String()
		}
	}
	return context.WithValue(ctx, askedByKey{}, &asker{budgetKey: "address:" + address})
}

// mayFetch is asked before every fetch from another server.
func (f *Service) mayFetch(ctx context.Context) error {
	a, ok := ctx.Value(askedByKey{}).(*asker)
	if !ok {
		return nil
	}
	a.once.Do(func() {
		switch {
		case a.budgetKey == "":
			a.err = apperr.Wrap(http.StatusUnauthorized, "This server does not know that yet. Log in to look it up on its own server.", errLookupRefused)
		case f.opts.Lookups != nil:
			allowed, err := f.opts.Lookups.Take(ctx, a.budgetKey)
			if err != nil {
				f.log.Warn("counting lookups failed; allowing this one", "err", err)
			} else if !allowed {
				a.err = apperr.Wrap(http.StatusTooManyRequests, "This server has looked up many accounts and clips on other servers for you in the last minute. Please wait a moment and try again.", errLookupRefused)
			}
		}
	})
	return a.err
}

package federation

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// blockFor returns the block on a URL's domain (or a parent domain), if any.
func (f *Service) blockFor(ctx context.Context, rawURL string) (*model.DomainBlock, error) {
	host := hostOf(rawURL)
	if host == "" {
		return nil, nil
	}
	blocks, err := f.store.DomainBlocks(ctx)
	if err != nil {
		return nil, err
	}
	hostname := host
	if i := strings.LastIndex(hostname, ":"); i > 0 && !strings.Contains(hostname[i:], "]") {
		hostname = hostname[:i]
	}
	for _, b := range blocks {
		if host == b.Domain || hostname == b.Domain || strings.HasSuffix(hostname, "."+b.Domain) {
			return b, nil
		}
	}
	return nil, nil
}

// checkNotSuspended refuses any traffic with a suspended domain.
func (f *Service) checkNotSuspended(ctx context.Context, rawURL string) error {
	b, err := f.blockFor(ctx, rawURL)
	if err != nil {
		return err
	}
	if b != nil && b.Severity == model.BlockSuspend {
		return apperr.New(http.StatusForbidden, "this server does not federate with "+b.Domain)
	}
	return nil
}

// BlockDomain suspends or silences a domain (a host, or host:port).
func (f *Service) BlockDomain(ctx context.Context, domain, severity, reason string) (*model.DomainBlock, error) {
	return BlockDomain(ctx, f.store, f.Domain(), domain, severity, reason)
}

// BlockDomain validates and stores a block; the CLI calls it without a
// running instance. own is this instance's domain, which cannot be blocked.
func BlockDomain(ctx context.Context, st *store.Store, own, domain, severity, reason string) (*model.DomainBlock, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" || strings.ContainsAny(domain, "/ @") {
		return nil, apperr.BadRequest("a domain looks like video.example")
	}
	if domain == own {
		return nil, apperr.BadRequest("an instance cannot block itself")
	}
	if severity != model.BlockSuspend && severity != model.BlockSilence {
		return nil, apperr.BadRequest("severity is suspend or silence")
	}
	b := &model.DomainBlock{Domain: domain, Severity: severity, Reason: reason, CreatedAt: time.Now().UTC()}
	return b, st.PutDomainBlock(ctx, b)
}

// UnblockDomain lifts a block; lifted is false when there was none, which
// the database says, not the cached list, so a block added a moment ago by
// another process is lifted too.
func (f *Service) UnblockDomain(ctx context.Context, domain string) (lifted bool, err error) {
	return f.store.DeleteDomainBlock(ctx, domain)
}

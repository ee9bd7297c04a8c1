package store

import (
	"context"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// PutDomainBlock adds or changes a domain block.
func (s *Store) PutDomainBlock(ctx context.Context, b *model.DomainBlock) error {
	b.Domain = strings.ToLower(b.Domain)
	s.forgetDomainBlocks()
	_, err := s.db.NewInsert().Model(b).On("CONFLICT (domain) DO UPDATE").
		Set("severity = EXCLUDED.severity, reason = EXCLUDED.reason").Exec(ctx)
	return mapErr(err)
}

// DeleteDomainBlock lifts a block.
func (s *Store) DeleteDomainBlock(ctx context.Context, domain string) (lifted bool, err error) {
	s.forgetDomainBlocks()
	res, err := s.db.NewDelete().Model((*model.DomainBlock)(nil)).Where("domain = ?", strings.ToLower(domain)).Exec(ctx)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DomainBlocks lists every block. Outside a transaction it may answer from
// memory (see snapshotTTL); the list is shared, callers must not change it.
func (s *Store) DomainBlocks(ctx context.Context) ([]*model.DomainBlock, error) {
	if s.cached() {
		if bs, ok := s.memo.domainBlocks.get(); ok {
			return bs, nil
		}
	}
	readAt := time.Now()
	var bs []*model.DomainBlock
	if err := s.db.NewSelect().Model(&bs).Order("domain").Scan(ctx); err != nil {
		return nil, mapErr(err)
	}
	if s.cached() {
		s.memo.domainBlocks.put(bs, readAt)
	}
	return bs, nil
}

func (s *Store) forgetDomainBlocks() {
	if s.memo != nil {
		s.changes(s.memo.domainBlocks.forget)
	}
}

// InsertReport stores a report; a repeat of the same URI is ignored.
func (s *Store) InsertReport(ctx context.Context, r *model.Report) error {
	_, err := s.db.NewInsert().Model(r).Exec(ctx)
	return mapErr(err)
}

// Reports lists unresolved reports, oldest first.
func (s *Store) Reports(ctx context.Context) ([]*model.Report, error) {
	var rs []*model.Report
	return rs, mapErr(s.db.NewSelect().Model(&rs).Where("resolved_at IS NULL").Order("id").Scan(ctx))
}

// ResolveReport closes an open report; ErrNotFound when there is no open
// report with that id.
func (s *Store) ResolveReport(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.NewUpdate().Model((*model.Report)(nil)).Set("resolved_at = ?", at).
		Where("id = ? AND resolved_at IS NULL", id).Exec(ctx)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

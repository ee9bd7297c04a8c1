package store

import (
	"context"
	"strings"

	"github.com/assay-social/assay/internal/model"
)

// PutDomainBlock adds or changes a domain block.
func (s *Store) PutDomainBlock(ctx context.Context, b *model.DomainBlock) error {
	b.Domain = strings.ToLower(b.Domain)
	_, err := s.db.NewInsert().Model(b).On("CONFLICT (domain) DO UPDATE").
		Set("severity = EXCLUDED.severity, reason = EXCLUDED.reason").Exec(ctx)
	return mapErr(err)
}

// DeleteDomainBlock lifts a block.
func (s *Store) DeleteDomainBlock(ctx context.Context, domain string) error {
	_, err := s.db.NewDelete().Model((*model.DomainBlock)(nil)).Where("domain = ?", strings.ToLower(domain)).Exec(ctx)
	return mapErr(err)
}

// DomainBlocks lists every block.
func (s *Store) DomainBlocks(ctx context.Context) ([]*model.DomainBlock, error) {
	var bs []*model.DomainBlock
	return bs, mapErr(s.db.NewSelect().Model(&bs).Order("domain").Scan(ctx))
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

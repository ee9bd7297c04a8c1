package store

import (
	"context"

	"github.com/assay-social/assay/internal/model"
)

// PeerByDomain reads what we know of another server.
func (s *Store) PeerByDomain(ctx context.Context, domain string) (*model.Peer, error) {
	p := new(model.Peer)
	return one(p, s.db.NewSelect().Model(p).Where("domain = ?", domain).Scan(ctx))
}

// PutPeer stores what another server's NodeInfo said.
func (s *Store) PutPeer(ctx context.Context, p *model.Peer) error {
	_, err := s.db.NewInsert().Model(p).On("CONFLICT (domain) DO UPDATE").
		Set("software = EXCLUDED.software, ai_free = EXCLUDED.ai_free, fetched_at = EXCLUDED.fetched_at").Exec(ctx)
	return mapErr(err)
}

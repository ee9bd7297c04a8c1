package store

import (
	"context"

	"github.com/assay-social/assay/internal/model"
)

// CreateAPIToken stores a token's hash.
func (s *Store) CreateAPIToken(ctx context.Context, tok *model.APIToken) error {
	_, err := s.db.NewInsert().Model(tok).Exec(ctx)
	return mapErr(err)
}

// UserByTokenHash finds the owner of a bearer token.
func (s *Store) UserByTokenHash(ctx context.Context, hash string) (*model.User, error) {
	tok := new(model.APIToken)
	if err := s.db.NewSelect().Model(tok).Where("token_hash = ?", hash).Scan(ctx); err != nil {
		return nil, mapErr(err)
	}
	return s.UserByID(ctx, tok.UserID)
}

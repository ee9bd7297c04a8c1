package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// Instance returns the settings row, creating it with defaults on first use.
// Outside a transaction it may answer from memory (see snapshotTTL).
func (s *Store) Instance(ctx context.Context) (*model.Instance, error) {
	cached := s.cached()
	if cached {
		if inst, ok := s.memo.instance.get(); ok {
			return &inst, nil
		}
	}
	readAt := time.Now()
	inst := new(model.Instance)
	err := s.db.NewSelect().Model(inst).Where("id = 1").Scan(ctx)
	if err == nil {
		if cached {
			s.memo.instance.put(*inst, readAt)
		}
		return inst, nil
	}
	if err = mapErr(err); err != ErrNotFound {
		return nil, err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	inst = &model.Instance{
		ID: 1, Name: "Assay", RegistrationsOpen: true,
		Secret: hex.EncodeToString(secret), UpdatedAt: time.Now().UTC(),
	}
	// Two processes starting together may both try; the loser reads the winner's row.
	if _, err := s.db.NewInsert().Model(inst).On("CONFLICT (id) DO NOTHING").Exec(ctx); err != nil {
		return nil, mapErr(err)
	}
	inst = new(model.Instance)
	return one(inst, s.db.NewSelect().Model(inst).Where("id = 1").Scan(ctx))
}

// UpdateInstance saves the editable settings.
func (s *Store) UpdateInstance(ctx context.Context, inst *model.Instance) error {
	if s.memo != nil {
		s.changes(s.memo.instance.forget)
	}
	inst.UpdatedAt = time.Now().UTC()
	_, err := s.db.NewUpdate().Model(inst).
		Column("name", "description", "rules", "ai_free", "registrations_open", "updated_at").
		WherePK().Exec(ctx)
	return mapErr(err)
}

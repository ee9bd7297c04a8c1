package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/assay-social/assay/internal/model"
)

// instanceTTL bounds how late this process sees a change of the settings
// made by another process (the CLI, another web or worker process); a
// change made through this Store is seen at once. Nearly every request
// reads the settings (the AI-free switch), so they are kept in memory.
const instanceTTL = time.Second

type instanceCache struct {
	mu        sync.Mutex
	inst      model.Instance
	at        time.Time // when the cached row was read; zero: nothing cached
	forgotten time.Time // a read that began before this is stale
}

func (c *instanceCache) get() (*model.Instance, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || time.Since(c.at) >= instanceTTL {
		return nil, false
	}
	inst := c.inst
	return &inst, true
}

func (c *instanceCache) put(inst *model.Instance, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if at.Before(c.forgotten) {
		return
	}
	c.inst, c.at = *inst, at
}

func (c *instanceCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.forgotten = time.Time{}, time.Now()
}

// Instance returns the settings row, creating it with defaults on first use.
// Outside a transaction it may answer from memory (see instanceTTL).
func (s *Store) Instance(ctx context.Context) (*model.Instance, error) {
	cached := s.hooks == nil && s.instances != nil
	if cached {
		if inst, ok := s.instances.get(); ok {
			return inst, nil
		}
	}
	readAt := time.Now()
	inst := new(model.Instance)
	err := s.db.NewSelect().Model(inst).Where("id = 1").Scan(ctx)
	if err == nil {
		if cached {
			s.instances.put(inst, readAt)
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
	if s.instances != nil {
		s.instances.forget()
		s.AfterCommit(s.instances.forget) // a read racing the transaction may have cached the old row
	}
	inst.UpdatedAt = time.Now().UTC()
	_, err := s.db.NewUpdate().Model(inst).
		Column("name", "description", "ai_free", "registrations_open", "updated_at").
		WherePK().Exec(ctx)
	return mapErr(err)
}

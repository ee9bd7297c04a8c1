// Package instance owns the instance-wide settings: name, registrations and
// the AI-free switch.
package instance

import (
	"context"
	"strings"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// Service reads and changes the settings.
type Service struct{ store *store.Store }

// New makes the service.
func New(st *store.Store) *Service { return &Service{store: st} }

// Get returns the current settings.
func (s *Service) Get(ctx context.Context) (*model.Instance, error) { return s.store.Instance(ctx) }

// Change is a partial update: nil fields stay as they are.
type Change struct {
	Name              *string
	AIFree            *bool
	RegistrationsOpen *bool
}

// Update applies a change on behalf of actor; nil actor means the operator's
// CLI, which needs no account.
func (s *Service) Update(ctx context.Context, actor *model.User, c Change) (*model.Instance, error) {
	if actor != nil && !actor.Admin {
		return nil, apperr.Forbidden("only an admin can change instance settings")
	}
	var out *model.Instance
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		inst, err := tx.Instance(ctx)
		if err != nil {
			return err
		}
		if c.Name != nil {
			name := strings.TrimSpace(*c.Name)
			if name == "" || len([]rune(name)) > 100 {
				return apperr.BadRequest("the instance name must be 1 to 100 characters")
			}
			inst.Name = name
		}
		if c.AIFree != nil {
			inst.AIFree = *c.AIFree
		}
		if c.RegistrationsOpen != nil {
			inst.RegistrationsOpen = *c.RegistrationsOpen
		}
		out = inst
		return tx.UpdateInstance(ctx, inst)
	})
	return out, err
}

// View is the public face of the settings: the JSON of GET /api/v1/instance
// and of `assay instance show`.
type View struct {
	Domain            string `json:"domain"`
	Name              string `json:"name"`
	AIFree            bool   `json:"ai_free"`
	RegistrationsOpen bool   `json:"registrations_open"`
	Version           string `json:"version"`
	Generator         string `json:"generator"`
}

// Describe builds the View. An AI-free instance names no generator: it
// generates nothing.
func Describe(inst *model.Instance, domain, version, generator string) View {
	if inst.AIFree {
		generator = ""
	}
	return View{
		Domain: domain, Name: inst.Name, AIFree: inst.AIFree,
		RegistrationsOpen: inst.RegistrationsOpen, Version: version, Generator: generator,
	}
}

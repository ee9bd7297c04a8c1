// Package instance owns the instance-wide settings: name, description,
// rules, registrations and the AI-free switch.
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
	Description       *string // plain text
	Rules             *[]string
	AIFree            *bool
	RegistrationsOpen *bool
}

// Limits of the texts an admin writes.
const (
	MaxDescriptionRunes = 1000
	MaxRules            = 20
	MaxRuleRunes        = 300
)

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
		if c.Description != nil {
			d := strings.TrimSpace(*c.Description)
			if len([]rune(d)) > MaxDescriptionRunes {
				return apperr.BadRequest("the description has at most 1000 characters")
			}
			inst.Description = d
		}
		if c.Rules != nil {
			rules, err := cleanRules(*c.Rules)
			if err != nil {
				return err
			}
			inst.Rules = strings.Join(rules, "\n")
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

// cleanRules trims each rule and leaves out empty ones; a rule is one line.
func cleanRules(in []string) ([]string, error) {
	var out []string
	for _, r := range in {
		r = strings.Join(strings.Fields(r), " ")
		if r == "" {
			continue
		}
		if len([]rune(r)) > MaxRuleRunes {
			return nil, apperr.BadRequest("a rule has at most 300 characters")
		}
		out = append(out, r)
	}
	if len(out) > MaxRules {
		return nil, apperr.BadRequest("an instance has at most 20 rules")
	}
	return out, nil
}

// Rules lists the instance's rules in order.
func Rules(inst *model.Instance) []string {
	if inst.Rules == "" {
		return []string{}
	}
	return strings.Split(inst.Rules, "\n")
}

// View is the public face of the settings: the JSON of GET /api/v1/instance
// and of `assay instance show`.
type View struct {
	Domain            string   `json:"domain"`
	Name              string   `json:"name"`
	Description       string   `json:"description"`
	Rules             []string `json:"rules"`
	AIFree            bool     `json:"ai_free"`
	RegistrationsOpen bool     `json:"registrations_open"`
	Version           string   `json:"version"`
	Generator         string   `json:"generator"`
}

// Describe builds the View. An AI-free instance names no generator: it
// generates nothing.
func Describe(inst *model.Instance, domain, version, generator string) View {
	if inst.AIFree {
		generator = ""
	}
	return View{
		Domain: domain, Name: inst.Name, Description: inst.Description, Rules: Rules(inst), AIFree: inst.AIFree,
		RegistrationsOpen: inst.RegistrationsOpen, Version: version, Generator: generator,
	}
}

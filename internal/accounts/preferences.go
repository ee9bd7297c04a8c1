package accounts

import (
	"context"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// Preferences is a partial change of what a user sets for themselves; nil
// fields stay as they are.
type Preferences struct {
	// DefaultMedia is the filter a timeline uses when the request names
	// none: store.MediaAll, MediaHuman or MediaAI.
	DefaultMedia *string
}

// UpdatePreferences changes user's own settings and returns the user as saved.
// Check refuses preferences UpdatePreferences would refuse, for callers
// that change other things in the same request and must not do half of it.
func (p Preferences) Check() error {
	if p.DefaultMedia != nil {
		switch *p.DefaultMedia {
		case store.MediaAll, store.MediaHuman, store.MediaAI:
		default:
			return apperr.BadRequest("default_media is all, human or ai")
		}
	}
	return nil
}

func (s *Service) UpdatePreferences(ctx context.Context, user *model.User, p Preferences) (*model.User, error) {
	u := *user
	if err := p.Check(); err != nil {
		return nil, err
	}
	if p.DefaultMedia != nil {
		u.DefaultMedia = *p.DefaultMedia
	}
	if err := s.store.UpdateUserPreferences(ctx, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

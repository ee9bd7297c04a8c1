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
func (s *Service) UpdatePreferences(ctx context.Context, user *model.User, p Preferences) (*model.User, error) {
	u := *user
	if p.DefaultMedia != nil {
		switch *p.DefaultMedia {
		case store.MediaAll, store.MediaHuman, store.MediaAI:
			u.DefaultMedia = *p.DefaultMedia
		default:
			return nil, apperr.BadRequest("default_media is all, human or ai")
		}
	}
	if err := s.store.UpdateUserPreferences(ctx, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

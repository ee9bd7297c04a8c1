package accounts

import (
	"context"
	"errors"
	"os"
	"strings"
	"unicode"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// Profile limits, in characters (Mastodon allows 30 and 500).
const (
	MaxDisplayNameRunes = 50
	MaxBioRunes         = 500
)

// ProfileChange is a partial change a person makes to their own account;
// nil fields stay as they are.
type ProfileChange struct {
	DisplayName *string
	Bio         *string      // plain text
	Avatar      *media.Image // from media.ReadAvatar
	Locked      *bool        // approve each new follower
	// DefaultMedia is the filter a timeline uses when the request names
	// none: store.MediaAll, MediaHuman or MediaAI. It is the owner's alone
	// and never federated.
	DefaultMedia *string
}

// Profiles saves changes people make to their own accounts and tells
// followers' servers about them.
type Profiles struct {
	Store    *store.Store
	Storage  media.Storage
	Staging  string // a directory on the storage's file system, where the file waits to be stored
	MediaURL string // the public URL of /media/, with its trailing slash
	// Announce federates the changed account (Update{Person}) through the
	// transaction that saves it.
	Announce func(ctx context.Context, tx *store.Store, a *model.Account) error
	// AcceptPending accepts every follow request still waiting on owner, in
	// the transaction that stops owner approving followers: as on Mastodon,
	// nobody stays pending on an account that no longer asks.
	AcceptPending func(ctx context.Context, tx *store.Store, owner *model.Account) error
}

// Update applies c to user's account in one transaction, federating it at
// most once, and returns the user as saved; a refused field changes
// nothing. The fields c sets are applied to the account as it is inside
// the transaction, so a concurrent change of other fields is kept. A new
// avatar gets a new key (stored files never change) and the one it
// replaces is deleted once the change is committed.
func (p *Profiles) Update(ctx context.Context, user *model.User, c ProfileChange) (*model.User, error) {
	var name, bio string
	if c.DisplayName != nil {
		name = strings.Join(strings.FieldsFunc(*c.DisplayName, unicode.IsSpace), " ")
		if n := len([]rune(name)); n > MaxDisplayNameRunes {
			return nil, apperr.BadRequest("a display name has at most 50 characters")
		}
		if strings.IndexFunc(name, unicode.IsControl) >= 0 {
			return nil, apperr.BadRequest("a display name cannot contain control characters")
		}
	}
	if c.Bio != nil {
		bio = strings.TrimSpace(strings.ReplaceAll(*c.Bio, "\r\n", "\n"))
		if n := len([]rune(bio)); n > MaxBioRunes {
			return nil, apperr.BadRequest("a bio has at most 500 characters")
		}
		if strings.IndexFunc(bio, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
			return nil, apperr.BadRequest("a bio cannot contain control characters")
		}
	}
	u := *user
	if c.DefaultMedia != nil {
		switch *c.DefaultMedia {
		case store.MediaAll, store.MediaHuman, store.MediaAI:
			u.DefaultMedia = *c.DefaultMedia
		default:
			return nil, apperr.BadRequest("default_media is all, human or ai")
		}
	}
	newKey := ""
	if c.Avatar != nil {
		var err error
		if newKey, err = p.storeAvatar(ctx, c.Avatar); err != nil {
			return nil, err
		}
	}
	oldKey := ""
	err := p.Store.InTx(ctx, func(tx *store.Store) error {
		was, err := tx.AccountForUpdate(ctx, user.AccountID)
		if err != nil {
			return err
		}
		a := *was
		if c.DisplayName != nil {
			a.DisplayName = name
		}
		if c.Bio != nil {
			a.Summary = bio
		}
		if c.Locked != nil {
			a.ManuallyApprovesFollowers = *c.Locked
		}
		if newKey != "" {
			a.IconURL = p.MediaURL + newKey
			oldKey = p.key(was.IconURL)
		}
		u.Account = &a
		if c.DefaultMedia != nil {
			if err := tx.UpdateUserPreferences(ctx, &u); err != nil {
				return err
			}
		}
		if a.DisplayName == was.DisplayName && a.Summary == was.Summary && a.IconURL == was.IconURL &&
			a.ManuallyApprovesFollowers == was.ManuallyApprovesFollowers {
			return nil // nothing others see changed: nothing to tell them
		}
		if err := tx.UpdateAccountProfile(ctx, &a); err != nil {
			return err
		}
		if was.ManuallyApprovesFollowers && !a.ManuallyApprovesFollowers {
			if err := p.AcceptPending(ctx, tx, &a); err != nil {
				return err
			}
		}
		return p.Announce(ctx, tx, &a)
	})
	if err != nil {
		if newKey != "" && !p.inUse(context.WithoutCancel(ctx), user.AccountID, newKey) {
			p.Storage.Delete(context.WithoutCancel(ctx), newKey) //nolint:errcheck // best effort; keys are never reused
		}
		return nil, err
	}
	if oldKey != "" {
		p.Storage.Delete(context.WithoutCancel(ctx), oldKey) //nolint:errcheck // best effort
	}
	return &u, nil
}

// inUse reports whether the account shows the avatar key, or may: a
// failed COMMIT (a dropped connection) can still have saved the row, and
// a file the page points at must not be deleted. When the row cannot be
// read either, the file is kept.
func (p *Profiles) inUse(ctx context.Context, accountID, key string) bool {
	a, err := p.Store.AccountByID(ctx, accountID)
	return err != nil || a.IconURL == p.MediaURL+key
}

// storeAvatar puts the picture into storage under a new key.
func (p *Profiles) storeAvatar(ctx context.Context, img *media.Image) (string, error) {
	if err := os.MkdirAll(p.Staging, 0o750); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(p.Staging, "avatar-*")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(img.Data)
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	key := model.NewID() + "-avatar." + img.Ext
	if _, err := p.Storage.Put(ctx, key, f.Name()); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return key, nil
}

// key is the storage key of an avatar URL of ours, "" for anything else.
func (p *Profiles) key(iconURL string) string {
	k, ok := strings.CutPrefix(iconURL, p.MediaURL)
	if !ok || !media.ValidKey(k) {
		return ""
	}
	return k
}

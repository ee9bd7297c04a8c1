package federation

import (
	"context"

	"github.com/assay-social/assay/internal/ap"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// ProfileUpdated sends Update{Person} with a's new profile (name, bio,
// avatar) to its followers' servers, which refresh their copy. Call it
// through tx, in the transaction that saves the change.
func (f *Service) ProfileUpdated(ctx context.Context, tx *store.Store, a *model.Account) error {
	person, err := ap.Person(f.paths, a)
	if err != nil {
		return err
	}
	inboxes, err := f.audience(ctx, tx, a)
	if err != nil || len(inboxes) == 0 {
		return err
	}
	id, uri := f.newActivity()
	to, cc := []string{ap.Public}, []string{a.FollowersURI}
	return f.publish(ctx, tx, outgoing{id: id, uri: uri, actor: a, kind: "Update", objectURI: a.URI, public: true,
		activity: ap.Update(uri, a.URI, person, to, cc), inboxes: inboxes})
}

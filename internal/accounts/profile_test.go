package accounts_test

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/media"
	"github.com/assay-social/assay/internal/testrig"
)

// Two saves of one profile at once, from pages loaded before either (a new
// avatar in one tab, "approve followers" in another): both changes are
// kept, and the avatar shown is a file that exists.
func TestConcurrentProfileChangesKeepEachOther(t *testing.T) {
	inst := testrig.NewInstance(t)
	bob := inst.StandardUsers().User
	avatar, err := media.ReadAvatar(bytes.NewReader(testrig.Picture(t, 64, 64, "png")))
	if err != nil {
		t.Fatal(err)
	}
	locked, name := true, "Bob B"
	changes := []accounts.ProfileChange{{Avatar: avatar}, {Locked: &locked}, {DisplayName: &name}}
	var wg sync.WaitGroup
	for _, c := range changes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := inst.Profiles.Update(context.Background(), bob.User, c); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	a, err := inst.Store.AccountByID(context.Background(), bob.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if a.IconURL == "" || !a.ManuallyApprovesFollowers || a.DisplayName != name {
		t.Fatalf("after three saves at once: avatar %q, locked %v, name %q: a save undid another", a.IconURL, a.ManuallyApprovesFollowers, a.DisplayName)
	}
	if files := inst.Files("media"); !slices.ContainsFunc(files, func(f string) bool { return inst.URL+"/media/"+f == a.IconURL }) {
		t.Errorf("the avatar %s is not among the stored files %v", a.IconURL, files)
	}
}

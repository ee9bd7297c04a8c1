package federation_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/testrig"
)

// Senders posting at once are stored by group commit (several activities to
// a transaction): every one is answered 202, each activity is stored and
// processed once however often and however concurrently it is sent.
func TestInboxStoresConcurrentActivitiesOnce(t *testing.T) {
	fx := newInboxFixture(t)
	const distinct, copies = 30, 3
	var bodies [][]byte
	var objects []string
	for range distinct {
		body, obj := fx.createVideo(t, fx.b.URL)
		bodies, objects = append(bodies, body), append(objects, obj)
	}

	statuses := make(chan int, distinct*copies)
	var wg sync.WaitGroup
	for range copies {
		for _, body := range bodies {
			wg.Go(func() {
				req, err := http.NewRequest(http.MethodPost, fx.sharedInbox, bytes.NewReader(body))
				if err == nil {
					req.Header.Set("Content-Type", activityJSON)
					err = signedBy(fx.bobKeyID, fx.bobKey)(req, body)
				}
				if err != nil {
					statuses <- 0
					return
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			})
		}
	}
	wg.Wait()
	close(statuses)
	for status := range statuses {
		if status != http.StatusAccepted {
			t.Fatalf("a concurrent POST was answered %d, want 202", status)
		}
	}

	if n := fx.a.Count("inbox_items", "actor_uri = ? AND type = 'Create'", fx.bobURI); n != distinct {
		t.Errorf("%d Create rows stored, want %d (one per activity id)", n, distinct)
	}
	testrig.Eventually(t, settle, "every video stored on A", func() bool {
		return fx.a.Count("videos", "account_id = (SELECT id FROM accounts WHERE uri = ?)", fx.bobURI) == distinct
	})
	for _, uri := range objects {
		if n := fx.a.Count("videos", "uri = ?", uri); n != 1 {
			t.Errorf("video %s stored %d times", uri, n)
		}
	}
}

// Turning "approve followers manually" on tells followers' servers at once,
// through Update{Person}, not only when they next fetch the actor.
func TestLockingAnAccountReachesFollowersServers(t *testing.T) {
	p := newSemPair(t)
	semFollowed(t, p.b, p.bob, "alice@"+domainOf(p.a), p.alice.Account.URI)
	locked := true
	u, err := p.a.Profiles.Update(context.Background(), p.alice.User, accounts.ProfileChange{Locked: &locked})
	if err != nil {
		t.Fatal(err)
	}
	alice := u.Account
	testrig.Eventually(t, semWait, "B to see alice's account as locked", func() bool {
		a, err := p.b.Store.AccountByURI(context.Background(), alice.URI)
		return err == nil && a.ManuallyApprovesFollowers
	})
	if n := p.a.Count("outbox_activities", "account_id = ? AND type = 'Update'", alice.ID); n != 1 {
		t.Errorf("%d Update activities published, want 1", n)
	}
}

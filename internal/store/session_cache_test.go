package store_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// readsOf counts the SELECTs a Store makes from one table.
type readsOf struct {
	table string
	n     atomic.Int64
}

func (c *readsOf) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (c *readsOf) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if q, ok := e.IQuery.(interface{ GetTableName() string }); ok && e.Operation() == "SELECT" && q.GetTableName() == c.table {
		c.n.Add(1)
	}
}

// A logged-in page finds its user in memory; a logout, a change of the user
// and the session's expiry show at once, a logout through another process
// within a second.
func TestSessionUserKeptOnlyWhileCurrent(t *testing.T) {
	ctx := context.Background()
	st, other := twoStores(t)
	reads := &readsOf{table: "sessions"}
	st.DB().(*bun.DB).AddQueryHook(reads)

	a, u := newAccount("ada")
	if err := st.CreateLocalUser(ctx, a, u); err != nil {
		t.Fatal(err)
	}
	login := func(id string, lasts time.Duration) {
		t.Helper()
		now := time.Now().UTC()
		if err := st.CreateSession(ctx, &model.Session{ID: id, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(lasts)}); err != nil {
			t.Fatal(err)
		}
	}
	user := func(id string) (*model.User, error) { return st.SessionUser(ctx, id, time.Now().UTC()) }

	login("s1", time.Hour)
	if _, err := user("s1"); err != nil {
		t.Fatal(err)
	}
	before := reads.n.Load()
	got, err := user("s1")
	if err != nil || got.Account == nil || got.Account.Username != "ada" {
		t.Fatalf("second lookup: %+v, %v", got, err)
	}
	if n := reads.n.Load() - before; n != 0 {
		t.Fatalf("the second lookup of a session read the database %d times", n)
	}
	got.Account.Username = "changed by a caller"
	if again, _ := user("s1"); again.Account.Username != "ada" {
		t.Fatal("a caller's change reached the kept user")
	}

	u.DefaultMedia = "human"
	if err := st.UpdateUserPreferences(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := user("s1"); got.DefaultMedia != "human" {
		t.Fatalf("default filter %q right after the change, want human", got.DefaultMedia)
	}
	if err := st.DeleteSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := user("s1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("right after the logout the session still finds a user (err %v)", err)
	}

	login("s2", 300*time.Millisecond)
	if _, err := user("s2"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(350 * time.Millisecond)
	if _, err := user("s2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an expired session still finds a user (err %v)", err)
	}

	login("s3", time.Hour)
	if _, err := user("s3"); err != nil {
		t.Fatal(err)
	}
	loggedOut := time.Now()
	if err := other.DeleteSession(ctx, "s3"); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := user("s3"); errors.Is(err, store.ErrNotFound) {
			break
		}
		if time.Since(loggedOut) > 1500*time.Millisecond {
			t.Fatal("a logout through another process still not seen after 1.5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The unread-notification badge is counted once and kept; a new
// notification and marking them read change it at once.
func TestUnreadCountKeptOnlyWhileCurrent(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	reads := &readsOf{table: "notifications"}
	st.DB().(*bun.DB).AddQueryHook(reads)
	a, u := newAccount("ada")
	b, v := newAccount("bob")
	for _, p := range []struct {
		a *model.Account
		u *model.User
	}{{a, u}, {b, v}} {
		if err := st.CreateLocalUser(ctx, p.a, p.u); err != nil {
			t.Fatal(err)
		}
	}
	count := func(want int) {
		t.Helper()
		if n, err := st.CountUnreadNotifications(ctx, a.ID); err != nil || n != want {
			t.Fatalf("unread %d (%v), want %d", n, err, want)
		}
	}
	count(0)
	n := &model.Notification{ID: model.NewID(), RecipientAccountID: a.ID, Kind: model.NotifyFollow, FromAccountID: b.ID, CreatedAt: time.Now().UTC()}
	if err := st.AddNotification(ctx, n); err != nil {
		t.Fatal(err)
	}
	count(1)
	before := reads.n.Load()
	count(1)
	if k := reads.n.Load() - before; k != 0 {
		t.Fatalf("a second count read the database %d times", k)
	}
	if err := st.MarkNotificationsRead(ctx, a.ID, []string{n.ID}, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	count(0)
}

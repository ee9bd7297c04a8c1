package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
	"github.com/assay-social/assay/internal/testrig"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), testrig.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// twoStores opens a migrated store and a second one on the same database,
// as a second process would.
func twoStores(t *testing.T) (*store.Store, *store.Store) {
	t.Helper()
	cfg := testrig.Config(t)
	var opened [2]*store.Store
	for i := range opened {
		st, err := store.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		opened[i] = st
	}
	if _, err := opened[0].Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return opened[0], opened[1]
}

func TestMigrationsApplyOnceThenNoOp(t *testing.T) {
	st := openStore(t)
	first, err := st.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(first) == 0 {
		t.Fatal("a fresh database applied no migrations")
	}
	second, err := st.Migrate(context.Background())
	if err != nil || len(second) != 0 {
		t.Fatalf("second migrate applied %v (%v), want nothing", second, err)
	}
}

// Several processes starting at once must not trip over each other.
func TestConcurrentMigrationsAndFirstStart(t *testing.T) {
	cfg := testrig.Config(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	secrets := make(chan string, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := store.Open(context.Background(), cfg)
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			if _, err := st.Migrate(context.Background()); err != nil {
				errs <- err
				return
			}
			inst, err := st.Instance(context.Background())
			if err != nil {
				errs <- err
				return
			}
			secrets <- inst.Secret
		}()
	}
	wg.Wait()
	close(errs)
	close(secrets)
	for err := range errs {
		t.Error(err)
	}
	first := ""
	for s := range secrets {
		if first == "" {
			first = s
		} else if s != first {
			t.Error("two starts created two different instance secrets")
		}
	}
}

func newAccount(name string) (*model.Account, *model.User) {
	now := time.Now().UTC()
	return &model.Account{ID: model.NewID(), Username: name, URI: "https://a.example/users/" + name + model.NewID(), CreatedAt: now, UpdatedAt: now},
		&model.User{ID: model.NewID(), PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
}

func TestUniqueViolationIsErrConflictAndLeavesNothing(t *testing.T) {
	st := openStore(t)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	a, u := newAccount("zoe")
	if err := st.CreateLocalUser(context.Background(), a, u); err != nil {
		t.Fatal(err)
	}
	a2, u2 := newAccount("zoe")
	err := st.CreateLocalUser(context.Background(), a2, u2)
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate username: %v, want ErrConflict", err)
	}
	if n, _ := st.CountLocalUsers(context.Background()); n != 1 {
		t.Errorf("a failed create left %d users, want 1", n)
	}
	if _, err := st.UserByID(context.Background(), u2.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("lookup of a never-created user: %v, want ErrNotFound", err)
	}
}

func TestAfterCommitRunsOnlyOnCommit(t *testing.T) {
	st := openStore(t)
	ran := 0
	boom := errors.New("boom")
	err := st.InTx(context.Background(), func(tx *store.Store) error {
		tx.AfterCommit(func() { ran++ })
		if ran != 0 {
			t.Error("the hook ran before commit")
		}
		return boom
	})
	if !errors.Is(err, boom) || ran != 0 {
		t.Fatalf("after a rollback: err %v, hook ran %d times", err, ran)
	}
	if err := st.InTx(context.Background(), func(tx *store.Store) error {
		tx.AfterCommit(func() { ran++ })
		return tx.InTx(context.Background(), func(inner *store.Store) error { // nested: joins
			inner.AfterCommit(func() { ran++ })
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if ran != 2 {
		t.Errorf("after commit the hooks ran %d times, want 2", ran)
	}
}

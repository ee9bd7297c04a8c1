package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// A login written without a default filter — every user from before the
// column existed — sees everything; a chosen default is kept.
func TestUserDefaultMedia(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	acct := &model.Account{ID: model.NewID(), Username: "old", URI: "https://a.example/users/old", ActorType: "Person", CreatedAt: now, UpdatedAt: now}
	if _, err := st.DB().NewInsert().Model(acct).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	userID := model.NewID()
	if _, err := st.DB().ExecContext(ctx,
		"INSERT INTO users (id, account_id, email, password_hash, admin, created_at, updated_at) VALUES (?, ?, '', 'x', FALSE, ?, ?)",
		userID, acct.ID, now, now); err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByID(ctx, userID)
	if err != nil {
		t.Fatal(err)
	}
	if u.DefaultMedia != store.MediaAll {
		t.Fatalf("a user without a chosen filter has %q, want all", u.DefaultMedia)
	}
	u.DefaultMedia = store.MediaHuman
	if err := st.UpdateUserPreferences(ctx, u); err != nil {
		t.Fatal(err)
	}
	if u, err = st.UserByID(ctx, userID); err != nil || u.DefaultMedia != store.MediaHuman || u.PasswordHash != "x" {
		t.Fatalf("after saving: %+v (%v)", u, err)
	}
}

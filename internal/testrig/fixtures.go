package testrig

import (
	"context"
	"testing"
	"time"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/model"
)

// User is a fixture user with the secrets a test needs to act as them.
type User struct {
	*model.User
	Username string
	Password string
	Token    string // an API bearer token
}

// Users are the standard fixtures: an admin and an ordinary user.
type Users struct {
	Admin *User // alice
	User  *User // bob
}

// CreateUser makes a local user with a password of "password-" + name and an
// API token.
func (i *Instance) CreateUser(name string, admin bool) *User {
	i.t.Helper()
	ctx := context.Background()
	password := "password-" + name
	u, err := i.Accounts.Create(ctx, accounts.NewUser{Username: name, Password: password, Admin: admin})
	if err != nil {
		i.t.Fatalf("creating fixture user %s: %v", name, err)
	}
	token, err := i.Accounts.CreateToken(ctx, u.ID, "test")
	if err != nil {
		i.t.Fatalf("creating token for %s: %v", name, err)
	}
	return &User{User: u, Username: name, Password: password, Token: token}
}

// StandardUsers creates alice (admin) and bob.
func (i *Instance) StandardUsers() Users {
	return Users{Admin: i.CreateUser("alice", true), User: i.CreateUser("bob", false)}
}

// Ctx is a context for test calls that ends with the test.
func Ctx(t testing.TB) context.Context { return t.Context() }

// Count counts table's rows that match where ("" for all), for tests that
// prove something was written once, or not at all.
func (i *Instance) Count(table, where string, args ...any) int {
	i.t.Helper()
	q := i.Store.DB().NewSelect().ColumnExpr("count(*)").TableExpr(table)
	if where != "" {
		q = q.Where(where, args...)
	}
	var n int
	if err := q.Scan(context.Background(), &n); err != nil {
		i.t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// RemoteFollower writes a remote account at domain that follows u, as if
// its Follow had been accepted, without any server behind it: enough for a
// test that counts what is published to followers, not for one that waits
// for deliveries.
func (i *Instance) RemoteFollower(u *User, name, domain string) *model.Account {
	i.t.Helper()
	ctx, now := context.Background(), time.Now().UTC()
	uri := "https://" + domain + "/users/" + name
	acct, err := i.Store.UpsertRemoteAccount(ctx, &model.Account{
		ID: model.NewID(), Username: name, Domain: domain, DisplayName: name, ActorType: "Person",
		URI: uri, URL: uri, InboxURI: uri + "/inbox", SharedInboxURI: "https://" + domain + "/inbox",
		OutboxURI: uri + "/outbox", FollowersURI: uri + "/followers", FollowingURI: uri + "/following",
		PublicKeyURI: uri + "#main-key", CreatedAt: now, UpdatedAt: now, FetchedAt: now,
	})
	if err != nil {
		i.t.Fatal(err)
	}
	if _, err := i.Store.UpsertFollow(ctx, &model.Follow{
		ID: model.NewID(), AccountID: acct.ID, TargetAccountID: u.AccountID,
		URI: uri + "#follows-" + u.Username, State: model.FollowAccepted, CreatedAt: now, UpdatedAt: now,
	}); err != nil {
		i.t.Fatal(err)
	}
	return acct
}

package testrig

import (
	"context"
	"testing"

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

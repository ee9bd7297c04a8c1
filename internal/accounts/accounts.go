// Package accounts owns local users: creating them with their keys, checking
// passwords, web sessions and API tokens. It knows nothing of HTTP; its errors
// carry their status (apperr).
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
	"github.com/assay-social/assay/internal/store"
)

// SessionLifetime is how long a web login lasts without use.
const SessionLifetime = 30 * 24 * time.Hour

// Service is the accounts domain.
type Service struct {
	store         *store.Store
	publicURL     *url.URL
	hashMemoryKiB uint32

	dummyOnce sync.Once
	dummy     string
}

// New makes the service. publicURL builds actor ids.
func New(st *store.Store, publicURL *url.URL, hashMemoryKiB uint32) *Service {
	return &Service{store: st, publicURL: publicURL, hashMemoryKiB: hashMemoryKiB}
}

// NewUser is what signup and the CLI ask for.
type NewUser struct {
	Username string
	Password string
	Email    string
	Admin    bool
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9_]{1,30}$`)

// reserved names would collide with routes or confuse people.
var reserved = map[string]bool{
	"admin": true, "administrator": true, "root": true, "actor": true, "instance": true,
	"assay": true, "api": true, "inbox": true, "support": true, "moderator": true,
}

// MinPasswordLength follows NIST SP 800-63B for user-chosen passwords.
const MinPasswordLength = 8

// Create makes a local account, its login and its RSA-2048 key pair.
func (s *Service) Create(ctx context.Context, in NewUser) (*model.User, error) {
	username := strings.ToLower(strings.TrimSpace(in.Username))
	switch {
	case !usernamePattern.MatchString(username):
		return nil, apperr.BadRequest("a username is 1 to 30 characters: letters a–z, digits and _")
	case reserved[username]:
		return nil, apperr.Conflict("that username is reserved; please choose another")
	case len(in.Password) < MinPasswordLength:
		return nil, apperr.BadRequest("a password needs at least 8 characters")
	case len(in.Password) > 1024:
		return nil, apperr.BadRequest("a password may have at most 1024 characters")
	}
	email := strings.TrimSpace(in.Email)
	if email != "" {
		if _, err := mail.ParseAddress(email); err != nil {
			return nil, apperr.BadRequest("that email address does not look right")
		}
	}
	if _, err := s.store.LocalUserByUsername(ctx, username); err == nil {
		return nil, apperr.Conflict("the username " + username + " is taken; please choose another")
	}

	privPEM, pubPEM, err := NewKeyPair()
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	actor := s.publicURL.JoinPath("users", username).String()
	acct := &model.Account{
		ID: model.NewID(), Username: username, Domain: "", DisplayName: username,
		URI: actor, URL: s.publicURL.JoinPath("@" + username).String(),
		InboxURI: actor + "/inbox", SharedInboxURI: s.publicURL.JoinPath("inbox").String(),
		OutboxURI: actor + "/outbox", FollowersURI: actor + "/followers", FollowingURI: actor + "/following",
		PublicKeyURI: actor + "#main-key", ActorType: "Person",
		PublicKeyPEM:  pubPEM,
		PrivateKeyPEM: privPEM,
		CreatedAt:     now, UpdatedAt: now,
	}
	user := &model.User{
		ID: model.NewID(), Email: email, PasswordHash: HashPassword(in.Password, s.hashMemoryKiB),
		Admin: in.Admin, DefaultMedia: store.MediaAll, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.CreateLocalUser(ctx, acct, user); err != nil {
		if errors.Is(err, store.ErrConflict) { // lost a race with a simultaneous signup
			return nil, apperr.Conflict("the username " + username + " is taken; please choose another")
		}
		return nil, err
	}
	user.Account = acct
	return user, nil
}

// NewKeyPair makes an RSA-2048 key pair as PEM (PKCS#8 private, PKIX public),
// the kind every Fediverse server can verify.
func NewKeyPair() (privatePEM, publicPEM string, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})), nil
}

// errBadLogin is deliberately the same for an unknown user and a wrong password.
var errBadLogin = apperr.Unauthorized("invalid username or password")

// Authenticate checks a username and password.
func (s *Service) Authenticate(ctx context.Context, username, password string) (*model.User, error) {
	user, err := s.store.LocalUserByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(s.dummyHash(), password) //nolint:errcheck // spend the same time
		return nil, errBadLogin
	}
	if err != nil {
		return nil, err
	}
	ok, err := CheckPassword(user.PasswordHash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errBadLogin
	}
	return user, nil
}

// newSecret returns 32 random bytes as URL-safe text and its SHA-256 (hex).
func newSecret() (secret, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, hashSecret(secret)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateToken issues an API bearer token; only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, userID, name string) (string, error) {
	token, hash := newSecret()
	err := s.store.CreateAPIToken(ctx, &model.APIToken{
		ID: model.NewID(), UserID: userID, TokenHash: hash, Name: name, CreatedAt: time.Now().UTC(),
	})
	return token, err
}

// UserByToken resolves a bearer token.
func (s *Service) UserByToken(ctx context.Context, token string) (*model.User, error) {
	if token == "" || len(token) > 200 {
		return nil, apperr.Unauthorized("a valid access token is required")
	}
	u, err := s.store.UserByTokenHash(ctx, hashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.Unauthorized("a valid access token is required")
	}
	return u, err
}

// StartSession logs a user in on the web; the returned value goes in the cookie.
func (s *Service) StartSession(ctx context.Context, userID, userAgent string) (string, error) {
	cookie, hash := newSecret()
	now := time.Now().UTC()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	err := s.store.CreateSession(ctx, &model.Session{
		ID: hash, UserID: userID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(SessionLifetime), UserAgent: userAgent,
	})
	return cookie, err
}

// UserBySession resolves a session cookie; ErrNotFound-ish cases give nil, nil.
func (s *Service) UserBySession(ctx context.Context, cookie string) (*model.User, error) {
	if cookie == "" || len(cookie) > 200 {
		return nil, nil
	}
	u, err := s.store.SessionUser(ctx, hashSecret(cookie), time.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// EndSession logs out.
func (s *Service) EndSession(ctx context.Context, cookie string) error {
	return s.store.DeleteSession(ctx, hashSecret(cookie))
}

// UserByName finds a local user for the CLI.
func (s *Service) UserByName(ctx context.Context, username string) (*model.User, error) {
	u, err := s.store.LocalUserByUsername(ctx, strings.ToLower(strings.TrimSpace(username)))
	if errors.Is(err, store.ErrNotFound) {
		return nil, apperr.NotFound("no local user named " + username)
	}
	return u, err
}

// LocalAccount finds the account of a local person by name, for their
// profile page and feed; 404 when there is no one by that name (the
// instance actor is not a person).
func (s *Service) LocalAccount(ctx context.Context, username string) (*model.Account, error) {
	a, err := s.store.AccountByName(ctx, strings.ToLower(strings.TrimSpace(username)), "")
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.ActorType != "Person") {
		return nil, apperr.NotFound("There is no one by that name here.")
	}
	return a, err
}

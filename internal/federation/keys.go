package federation

import (
	"crypto"
	"sync"
	"time"

	"github.com/assay-social/assay/internal/signing"
)

// keyCache keeps parsed public keys by key id, so a busy inbox parses each
// PEM once. Entries expire so a rotated key is re-read from the database.
type keyCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]cachedKey
}

type cachedKey struct {
	key      crypto.PublicKey
	ownerURI string
	expires  time.Time
}

const keyCacheTTL = 10 * time.Minute

func newKeyCache(max int) *keyCache { return &keyCache{max: max, entries: map[string]cachedKey{}} }

func (c *keyCache) get(keyID string) (cachedKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[keyID]
	if !ok || time.Now().After(e.expires) {
		return cachedKey{}, false
	}
	return e, true
}

func (c *keyCache) put(keyID string, key crypto.PublicKey, ownerURI string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		for k := range c.entries { // drop an arbitrary entry: cheap, and the cache only saves parsing
			delete(c.entries, k)
			break
		}
	}
	c.entries[keyID] = cachedKey{key: key, ownerURI: ownerURI, expires: time.Now().Add(keyCacheTTL)}
}

func (c *keyCache) forget(keyID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, keyID)
}

// signingKeys keeps parsed private keys by their PEM text: parsing one costs
// about a seventh of the signature itself, and every delivery signs. A
// rotated key has a new text, so an entry is never stale.
type signingKeys struct {
	mu    sync.Mutex
	max   int
	byPEM map[string]crypto.PrivateKey
}

func newSigningKeys(max int) *signingKeys {
	return &signingKeys{max: max, byPEM: map[string]crypto.PrivateKey{}}
}

func (c *signingKeys) parse(pemText string) (crypto.PrivateKey, error) {
	c.mu.Lock()
	key, ok := c.byPEM[pemText]
	c.mu.Unlock()
	if ok {
		return key, nil
	}
	key, err := signing.ParsePrivateKeyPEM(pemText)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.byPEM) >= c.max {
		for k := range c.byPEM {
			delete(c.byPEM, k)
			break
		}
	}
	c.byPEM[pemText] = key
	return key, nil
}

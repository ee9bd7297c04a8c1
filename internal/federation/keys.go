package federation

import (
	"crypto"
	"sync"
	"time"
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

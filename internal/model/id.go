package model

import (
	"crypto/rand"
	"sync"
	"time"

	"github.com/oklog/ulid/v2"
)

// ids hands out ULIDs that grow strictly within this process, even within
// one millisecond, so "newest first" by id is the order things happened.
var ids = struct {
	sync.Mutex
	entropy *ulid.MonotonicEntropy
}{entropy: ulid.Monotonic(rand.Reader, 0)}

// NewID returns a ULID: sortable by creation time, so "newest first" is an
// index scan on the primary key, and unguessable enough for public URLs.
func NewID() string {
	ids.Lock()
	defer ids.Unlock()
	return ulid.MustNew(ulid.Timestamp(time.Now()), ids.entropy).String()
}

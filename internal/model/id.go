package model

import (
	"crypto/rand"
	"time"

	"github.com/oklog/ulid/v2"
)

// NewID returns a ULID: sortable by creation time, so "newest first" is an
// index scan on the primary key, and unguessable enough for public URLs.
func NewID() string {
	return ulid.MustNew(ulid.Timestamp(time.Now()), rand.Reader).String()
}

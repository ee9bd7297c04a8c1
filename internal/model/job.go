package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Job states. A job is claimed (running, with a lease) before it runs, and the
// attempt counter taken at the claim fences its completion.
const (
	JobPending = "pending"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is one unit of durable work: written in the same transaction as the
// change that causes it, carried through Redis only by its id.
type Job struct {
	bun.BaseModel `bun:"table:jobs"`

	ID          string    `bun:"id,pk"`
	Queue       string    `bun:"queue,notnull"`
	Kind        string    `bun:"kind,notnull"`
	Ref         string    `bun:"ref,notnull"`     // id of the domain row the work is about
	Payload     string    `bun:"payload,notnull"` // small JSON, when the ref is not enough
	State       string    `bun:"state,notnull"`
	Attempts    int       `bun:"attempts,notnull"`
	MaxAttempts int       `bun:"max_attempts,notnull"`
	RunAt       time.Time `bun:"run_at,notnull"`
	LockedUntil time.Time `bun:"locked_until,nullzero"`
	LastError   string    `bun:"last_error,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
	UpdatedAt   time.Time `bun:"updated_at,notnull"`
	FinishedAt  time.Time `bun:"finished_at,nullzero"`
}

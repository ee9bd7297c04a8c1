package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Generation states (DESIGN.md §4).
const (
	GenerationQueued    = "queued"
	GenerationRunning   = "running"
	GenerationSucceeded = "succeeded"
	GenerationFailed    = "failed"
)

// Generation is one request for an AI clip. RemoteID is the backend's own
// job id, kept so a restarted worker polls the job it started instead of
// paying for a second one.
type Generation struct {
	bun.BaseModel `bun:"table:generations"`

	ID              string     `bun:"id,pk"`
	AccountID       string     `bun:"account_id,notnull"`
	Prompt          string     `bun:"prompt,notnull"`
	DurationSeconds int        `bun:"duration_seconds,notnull"`
	Aspect          string     `bun:"aspect,notnull"`
	ShowPrompt      bool       `bun:"show_prompt,notnull"`
	Backend         string     `bun:"backend,notnull"`
	Model           string     `bun:"model,notnull"`
	State           string     `bun:"state,notnull"`
	Progress        int        `bun:"progress,notnull"`
	Error           string     `bun:"error,notnull"`
	RemoteID        string     `bun:"remote_id,notnull"`
	Attempts        int        `bun:"attempts,notnull"` // backend attempts (waiting for a slot is not one)
	VideoID         string     `bun:"video_id,notnull"`
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	UpdatedAt       time.Time  `bun:"updated_at,notnull"`
	StartedAt       *time.Time `bun:"started_at"`
	FinishedAt      *time.Time `bun:"finished_at"`
}

// Done reports whether the generation has reached an end state.
func (g *Generation) Done() bool {
	return g.State == GenerationSucceeded || g.State == GenerationFailed
}

package model

import (
	"time"

	"github.com/uptrace/bun"
)

// Instance is the one row of instance-wide settings (ID is always 1).
type Instance struct {
	bun.BaseModel `bun:"table:instance"`

	ID                int64     `bun:"id,pk"`
	Name              string    `bun:"name,notnull"`
	Description       string    `bun:"description,notnull"`
	Rules             string    `bun:"rules,notnull"` // one rule per line
	AIFree            bool      `bun:"ai_free,notnull"`
	RegistrationsOpen bool      `bun:"registrations_open,notnull"`
	Secret            string    `bun:"secret,notnull"` // hex; keys CSRF tokens
	UpdatedAt         time.Time `bun:"updated_at,notnull"`
}

package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// Generation: a request for an AI clip, its progress, and the video it
// became. Videos record which generator made them and, when the creator
// chooses, the prompt.
type m5Generation struct {
	bun.BaseModel   `bun:"table:generations"`
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
	Attempts        int        `bun:"attempts,notnull"`
	VideoID         string     `bun:"video_id,notnull"`
	CreatedAt       time.Time  `bun:"created_at,notnull"`
	UpdatedAt       time.Time  `bun:"updated_at,notnull"`
	StartedAt       *time.Time `bun:"started_at"`
	FinishedAt      *time.Time `bun:"finished_at"`
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, col := range []string{"generator TEXT NOT NULL DEFAULT ''", "prompt TEXT NOT NULL DEFAULT ''"} {
				if _, err := tx.NewAddColumn().Table("videos").ColumnExpr(col).Exec(ctx); err != nil {
					return err
				}
			}
			return createTables(ctx, tx, []any{(*m5Generation)(nil)}, []index{
				{table: "generations", name: "generations_account_state", columns: []string{"account_id", "state"}},
				{table: "generations", name: "generations_account_created", columns: []string{"account_id", "created_at"}},
			})
		})
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

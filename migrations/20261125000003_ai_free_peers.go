package migrations

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// AI-free federation: outgoing activities say whether they carry synthetic
// media, and what other servers' NodeInfo says about them is cached.
type m3Peer struct {
	bun.BaseModel `bun:"table:peers"`
	Domain        string    `bun:"domain,pk"`
	Software      string    `bun:"software,notnull"`
	AIFree        bool      `bun:"ai_free,notnull"`
	FetchedAt     time.Time `bun:"fetched_at,notnull"`
}

func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewAddColumn().Table("outbox_activities").
				ColumnExpr("synthetic BOOLEAN NOT NULL DEFAULT FALSE").Exec(ctx); err != nil {
				return err
			}
			return createTables(ctx, tx, []any{(*m3Peer)(nil)}, nil)
		})
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

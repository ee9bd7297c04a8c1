package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Instance rules: what the admin asks of everyone here, one rule per line,
// shown on /about and in GET /api/v1/instance. Existing instances start
// with none.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewAddColumn().Table("instance").
			ColumnExpr("rules TEXT NOT NULL DEFAULT ''").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

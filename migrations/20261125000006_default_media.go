package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Per-user default filter: a timeline asked for without ?media= shows what
// its logged-in viewer chose (all, human or ai). Existing users keep seeing
// everything, as before.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewAddColumn().Table("users").
			ColumnExpr("default_media TEXT NOT NULL DEFAULT 'all'").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

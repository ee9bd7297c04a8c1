package migrations

import (
	"context"

	"github.com/uptrace/bun"
)

// Media pipeline: a video keeps the words that explain its label (what a
// detector found, which backend generated it), so the uploader and every
// viewer can be told why a clip is marked AI.
func init() {
	Migrations.MustRegister(func(ctx context.Context, db *bun.DB) error {
		_, err := db.NewAddColumn().Table("videos").
			ColumnExpr("label_detail TEXT NOT NULL DEFAULT ''").Exec(ctx)
		return err
	}, func(ctx context.Context, db *bun.DB) error { return errIrreversible })
}

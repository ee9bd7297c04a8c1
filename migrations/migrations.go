// Package migrations holds the schema's history as Go files. Each migration
// declares frozen copies of the models as they were when it was written, so a
// later change to internal/model never rewrites the past. No migration drops
// user data; down migrations refuse rather than delete.
package migrations

import (
	"context"
	"errors"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// Migrations is the one registered set, in file-name order.
var Migrations = migrate.NewMigrations()

// errIrreversible is what every down migration answers: rolling back would
// drop user data.
var errIrreversible = errors.New("migrations are forward-only: going back would drop user data")

// advisoryLockKey serialises migrations across processes on PostgreSQL, so
// several web and worker processes can start together.
const advisoryLockKey = 0x61737361 // "assa"

// Apply runs every pending migration and returns the names it applied (none
// when the schema is current).
func Apply(ctx context.Context, db *bun.DB) ([]string, error) {
	if db.Dialect().Name() == dialect.PG {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", advisoryLockKey); err != nil {
			return nil, fmt.Errorf("taking the migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", advisoryLockKey) //nolint:errcheck
	}
	m := migrate.NewMigrator(db, Migrations)
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("preparing the migrations table: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrating: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}

// createTables creates each model's table and then the indexes given as
// "table:name:col1,col2" (a leading "unique " makes the index unique).
func createTables(ctx context.Context, db bun.IDB, models []any, indexes []index) error {
	for _, m := range models {
		if _, err := db.NewCreateTable().Model(m).Exec(ctx); err != nil {
			return fmt.Errorf("creating table for %T: %w", m, err)
		}
	}
	for _, ix := range indexes {
		q := db.NewCreateIndex().Table(ix.table).Index(ix.name).Column(ix.columns...)
		if ix.unique {
			q = q.Unique()
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("creating index %s: %w", ix.name, err)
		}
	}
	return nil
}

type index struct {
	table   string
	name    string
	unique  bool
	columns []string
}

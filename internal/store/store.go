// Package store is the one way to the database: a concrete Store over bun,
// one file per aggregate, the same code on SQLite and PostgreSQL.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/migrations"
)

// ErrNotFound and ErrConflict are what callers test for; the store maps both
// dialects' errors onto them.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflicts with an existing row")
)

// Store wraps a database handle or, inside InTx, a transaction: the same
// methods work in both.
type Store struct {
	db         bun.IDB
	root       *bun.DB
	hooks      *afterCommit // nil outside a transaction
	memo       *snapshots   // nil in stores made for migrations and tools
	sqlitePath string       // "" on PostgreSQL; the file migrations lock beside
}

type afterCommit struct {
	mu  sync.Mutex
	fns []func()
}

// Open connects to the configured database and checks that it answers. The
// error names the variable to fix.
func Open(ctx context.Context, cfg *config.Config) (*Store, error) {
	var db *bun.DB
	if cfg.UsesPostgres() {
		// pgx prepares each new statement text and keeps it per connection:
		// pages whose SQL repeats (a timeline's first page) are then planned
		// once per connection. docs/BENCHMARKS.md compares this with the
		// simple protocol (faster only for texts that never repeat).
		sqldb, err := sql.Open("pgx", cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("ASSAY_DATABASE_URL=%s: %w", config.Redacted(cfg.DatabaseURL), err)
		}
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(20) // as many as open: closing and reopening cost PostgreSQL a core under load (docs/BENCHMARKS.md)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
		if err := ping(ctx, db); err != nil {
			db.Close()
			return nil, fmt.Errorf("ASSAY_DATABASE_URL=%s: cannot reach PostgreSQL: %w", config.Redacted(cfg.DatabaseURL), err)
		}
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("ASSAY_DATA_DIR=%s: %w", cfg.DataDir, err)
		}
		var err error
		if db, err = OpenSQLite(cfg.SQLitePath()); err != nil {
			return nil, fmt.Errorf("ASSAY_DATA_DIR=%s: cannot open the SQLite database: %w", cfg.DataDir, err)
		}
		// The first connection turns a new file to WAL, which needs a lock
		// SQLite does not wait for; processes creating the file together
		// take turns.
		err = withFileLock(cfg.SQLitePath(), func() error { return ping(ctx, db) })
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("ASSAY_DATA_DIR=%s: cannot open the SQLite database: %w", cfg.DataDir, err)
		}
	}
	st := &Store{db: db, root: db, memo: &snapshots{}}
	db.AddQueryHook(writeWatch{&st.memo.writes})
	if !cfg.UsesPostgres() {
		st.sqlitePath = cfg.SQLitePath()
	}
	return st, nil
}

// OpenSQLite opens a SQLite file in WAL mode. Transactions take the write lock
// at BEGIN (txlock=immediate), so two writers queue on busy_timeout instead of
// one failing at its first write.
func OpenSQLite(path string) (*bun.DB, error) {
	dsn := "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(8)
	return bun.NewDB(sqldb, sqlitedialect.New()), nil
}

func ping(ctx context.Context, db *bun.DB) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// Migrate applies pending migrations and returns their names. Processes
// starting together take turns: PostgreSQL through an advisory lock (in
// migrations.Apply), SQLite through a lock on a file beside the database,
// which the kernel releases if a process dies holding it.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	if s.sqlitePath == "" {
		return migrations.Apply(ctx, s.root)
	}
	var applied []string
	err := withFileLock(s.sqlitePath, func() (err error) {
		applied, err = migrations.Apply(ctx, s.root)
		return err
	})
	return applied, err
}

// withFileLock runs fn holding an exclusive lock on a file beside the SQLite
// database; the kernel releases it if the process dies.
func withFileLock(sqlitePath string, fn func() error) error {
	lock, err := os.OpenFile(sqlitePath+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("taking the start-up lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("taking the start-up lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // closing releases it too
	return fn()
}

// Ping is for health checks.
func (s *Store) Ping(ctx context.Context) error { return ping(ctx, s.root) }

// Close releases the connection pool.
func (s *Store) Close() error { return s.root.Close() }

// DB exposes the handle for tests and migrations; domain code uses methods.
func (s *Store) DB() bun.IDB { return s.db }

// Dialect names the backend ("sqlite" or "pg"), for the few places SQL differs.
func (s *Store) Dialect() dialect.Name { return s.root.Dialect().Name() }

// InTx runs fn in one transaction. Inside, fn's Store uses the transaction;
// functions registered with AfterCommit run once it has committed. Nested
// calls join the outer transaction.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.hooks != nil {
		return fn(s)
	}
	hooks := &afterCommit{}
	err := s.root.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(&Store{db: tx, root: s.root, hooks: hooks, memo: s.memo})
	})
	if err != nil {
		return err
	}
	for _, f := range hooks.fns {
		f()
	}
	return nil
}

// AfterCommit runs f once the surrounding transaction commits, or at once
// when there is none. Use it for side effects outside the database (pushing a
// task to Redis) that must not happen if the change is rolled back.
func (s *Store) AfterCommit(f func()) {
	if s.hooks == nil {
		f()
		return
	}
	s.hooks.mu.Lock()
	s.hooks.fns = append(s.hooks.fns, f)
	s.hooks.mu.Unlock()
}

// mapErr turns driver errors into ErrNotFound / ErrConflict, keeping the
// original wrapped for logs.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %s", ErrConflict, pgErr.ConstraintName)
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %v", ErrConflict, err)
		}
	}
	return err
}

// one returns v, or nil and the mapped error: a getter never hands back a
// half-filled row alongside an error.
func one[T any](v *T, err error) (*T, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	return v, nil
}

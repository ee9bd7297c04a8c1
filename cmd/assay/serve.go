package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/store"
)

func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("ASSAY_LISTEN=%s: %w", cfg.Listen, err)
	}
	return a.Run(ctx, ln)
}

func migrate(ctx context.Context, cfg *config.Config, stdout io.Writer) error {
	st, err := store.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return nil
}

// openStore opens and migrates the database for the commands that need no Redis.
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

package benchkit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/uptrace/bun"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
)

// Instance is one Assay instance built in-process by app.New, exactly as
// `assay serve` builds it with ASSAY_ROLE=web (no workers, embedded Redis),
// on a fresh PostgreSQL database, serving HTTP on a 127.0.0.1 port.
type Instance struct {
	App     *app.App
	DB      *bun.DB // the store's handle, for seeding and query hooks
	Base    string  // http://127.0.0.1:PORT
	cleanup []func()
}

// StartInstance starts an instance on a fresh database made from admin (see
// FreshDatabase) and waits until it answers /healthz. Close stops it and
// drops the database.
func StartInstance(ctx context.Context, admin, name string) (_ *Instance, err error) {
	inst := &Instance{}
	defer func() {
		if err != nil {
			inst.Close()
		}
	}()
	dbURL, drop, err := FreshDatabase(ctx, admin, name)
	if err != nil {
		return nil, err
	}
	inst.cleanup = append(inst.cleanup, drop)
	dataDir, err := os.MkdirTemp("", name+"-")
	if err != nil {
		return nil, err
	}
	inst.cleanup = append(inst.cleanup, func() { os.RemoveAll(dataDir) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	inst.Base = "http://" + ln.Addr().String()
	env := map[string]string{
		"ASSAY_DATA_DIR":     dataDir,
		"ASSAY_DATABASE_URL": dbURL,
		"ASSAY_ROLE":         string(config.RoleWeb),
		"ASSAY_LOG_LEVEL":    "warn",
		"ASSAY_LISTEN":       ln.Addr().String(),
		"ASSAY_PUBLIC_URL":   inst.Base,
	}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("configuration: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("starting the instance: %w", err)
	}
	inst.App = a
	inst.cleanup = append(inst.cleanup, func() { a.Close() })
	db, ok := a.Store.DB().(*bun.DB)
	if !ok || db.Dialect().Name().String() != "pg" {
		ln.Close()
		return nil, errors.New("want the store on PostgreSQL, through a *bun.DB")
	}
	inst.DB = db

	runCtx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- a.Run(runCtx, ln) }()
	inst.cleanup = append(inst.cleanup, func() {
		cancel()
		select {
		case err := <-runDone:
			if err != nil {
				fmt.Fprintf(os.Stderr, "instance stopped with: %v\n", err)
			}
		case <-time.After(30 * time.Second):
			fmt.Fprintln(os.Stderr, "instance did not stop within 30s")
		}
	})
	if err := WaitHealthy(ctx, inst.Base+"/healthz", 30*time.Second); err != nil {
		return nil, err
	}
	return inst, nil
}

// Close stops the instance and removes its data and database, in the
// reverse order of their making.
func (i *Instance) Close() {
	for k := len(i.cleanup) - 1; k >= 0; k-- {
		i.cleanup[k]()
	}
	i.cleanup = nil
}

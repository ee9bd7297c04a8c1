// Command assay is the one binary: serve, migrate, user and instance.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/jobs"
)

const usage = `Usage: assay <command> [flags]

Commands:
  serve                      migrate, then serve HTTP and run workers (per ASSAY_ROLE)
  migrate                    apply pending database migrations and exit
  user create --username NAME --password PW [--email E] [--admin]
  user token NAME            print a new API bearer token for NAME
  instance show              print the instance settings as JSON
  instance set [--ai-free=true|false] [--name NAME] [--description TEXT] [--rule R]... [--no-rules] [--registrations=open|closed]
  domain list                print the domain blocks as JSON
  domain block DOMAIN [--severity suspend|silence] [--reason R]
  domain unblock DOMAIN

Configuration comes from ASSAY_* environment variables; see README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			fmt.Fprintln(os.Stderr, "assay:", ae.Public)
		} else {
			fmt.Fprintln(os.Stderr, "assay:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cfg, err := config.FromEnv(os.LookupEnv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	log := newLogger(cfg, stderr)
	jobs.LogRedisTo(log)
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "user":
		return userCommand(ctx, cfg, args[1:], stdout)
	case "instance":
		return instanceCommand(ctx, cfg, args[1:], stdout)
	case "domain":
		return domainCommand(ctx, cfg, args[1:], stdout)
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel)) //nolint:errcheck // validated in config
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/assay-social/assay/internal/accounts"
	"github.com/assay-social/assay/internal/config"
)

func userCommand(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: want `user create` or `user token NAME`")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := accounts.New(st, cfg.PublicURL, cfg.PasswordHashMemoryKiB)

	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("user create", flag.ContinueOnError)
		username := fs.String("username", "", "the new user's name (a–z, 0–9, _)")
		password := fs.String("password", "", "at least 8 characters")
		email := fs.String("email", "", "optional")
		admin := fs.Bool("admin", false, "may change instance settings")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *username == "" || *password == "" {
			return errors.New("user create: --username and --password are required")
		}
		u, err := svc.Create(ctx, accounts.NewUser{Username: *username, Password: *password, Email: *email, Admin: *admin})
		if err != nil {
			return err
		}
		role := "user"
		if u.Admin {
			role = "admin"
		}
		fmt.Fprintf(stdout, "created %s @%s@%s (%s)\n", role, u.Account.Username, cfg.Domain(), u.Account.URI)
		return nil
	case "token":
		if len(args) != 2 {
			return errors.New("user token: want exactly one NAME")
		}
		u, err := svc.UserByName(ctx, args[1])
		if err != nil {
			return err
		}
		token, err := svc.CreateToken(ctx, u.ID, "cli")
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, token)
		return nil
	default:
		return fmt.Errorf("user: unknown subcommand %q", args[0])
	}
}

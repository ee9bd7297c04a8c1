package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/assay-social/assay/internal/app"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/instance"
)

func instanceCommand(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("instance: want `instance show` or `instance set ...`")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := instance.New(st)

	switch args[0] {
	case "show":
		inst, err := svc.Get(ctx)
		if err != nil {
			return err
		}
		return printJSON(stdout, instance.Describe(inst, cfg.Domain(), app.Version, cfg.Generator))
	case "set":
		var change instance.Change
		fs := flag.NewFlagSet("instance set", flag.ContinueOnError)
		fs.Func("ai-free", "true or false", func(v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return errors.New("want true or false")
			}
			change.AIFree = &b
			return nil
		})
		fs.Func("name", "the instance's name", func(v string) error { change.Name = &v; return nil })
		fs.Func("description", "what the instance is about, in plain text", func(v string) error { change.Description = &v; return nil })
		var rules []string
		fs.Func("rule", "a rule; repeat for each, in order (replaces all the rules)", func(v string) error {
			rules = append(rules, v)
			change.Rules = &rules
			return nil
		})
		fs.BoolFunc("no-rules", "remove every rule", func(string) error {
			rules = []string{}
			change.Rules = &rules
			return nil
		})
		fs.Func("registrations", "open or closed", func(v string) error {
			switch v {
			case "open", "closed":
				open := v == "open"
				change.RegistrationsOpen = &open
				return nil
			}
			return errors.New("want open or closed")
		})
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("instance set: unexpected %q", fs.Arg(0))
		}
		inst, err := svc.Update(ctx, nil, change)
		if err != nil {
			return err
		}
		return printJSON(stdout, instance.Describe(inst, cfg.Domain(), app.Version, cfg.Generator))
	default:
		return fmt.Errorf("instance: unknown subcommand %q", args[0])
	}
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

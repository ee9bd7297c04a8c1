package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/assay-social/assay/internal/api"
	"github.com/assay-social/assay/internal/config"
	"github.com/assay-social/assay/internal/federation"
	"github.com/assay-social/assay/internal/model"
)

func domainCommand(ctx context.Context, cfg *config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("domain: want `domain list`, `domain block DOMAIN [--severity suspend|silence] [--reason R]` or `domain unblock DOMAIN`")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	switch args[0] {
	case "list":
		blocks, err := st.DomainBlocks(ctx)
		if err != nil {
			return err
		}
		out := []api.DomainBlockJSON{}
		for _, b := range blocks {
			out = append(out, api.DomainBlockView(b))
		}
		return printJSON(stdout, out)
	case "block":
		fs := flag.NewFlagSet("domain block", flag.ContinueOnError)
		severity := fs.String("severity", model.BlockSuspend, "suspend (no contact at all) or silence (kept off the federated timeline)")
		reason := fs.String("reason", "", "why, for the record")
		if len(args) < 2 {
			return errors.New("domain block: name the DOMAIN")
		}
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		b, err := federation.BlockDomain(ctx, st, cfg.Domain(), args[1], *severity, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s\n", b.Domain, b.Severity)
		return nil
	case "unblock":
		if len(args) != 2 {
			return errors.New("domain unblock: name the DOMAIN")
		}
		lifted, err := st.DeleteDomainBlock(ctx, args[1])
		if err != nil {
			return err
		}
		if !lifted {
			fmt.Fprintf(stdout, "%s: was not blocked\n", args[1])
			return nil
		}
		fmt.Fprintf(stdout, "%s: unblocked\n", args[1])
		return nil
	}
	return fmt.Errorf("domain: unknown subcommand %q", args[0])
}

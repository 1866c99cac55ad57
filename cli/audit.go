package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/audit"
)

// brokenLogError is a verify that found broken links: exit status 1.
type brokenLogError struct{ broken, chains int }

func (e brokenLogError) Error() string {
	return fmt.Sprintf("the audit log is broken: %d of %d chains have a broken link", e.broken, e.chains)
}

// auditCmd runs "audit verify" and "audit prune". They open the database
// directly rather than the whole app: they need no module but audit, and
// no job queue.
func auditCmd(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"audit needs one of: verify, prune"}
	}
	sub := args[0]
	fs := flag.NewFlagSet("audit "+sub, flag.ContinueOnError)
	var days *int
	switch sub {
	case "verify":
	case "prune":
		days = fs.Int("days", -1, "delete entries older than this many days (default AUDIT_RETENTION_DAYS)")
	default:
		return usageError{fmt.Sprintf("unknown audit command %q (want verify or prune)", sub)}
	}
	cfg, logger, err := setup(fs, args[1:], lookup, stderr)
	if err != nil {
		return err
	}
	if days != nil {
		if *days < 0 {
			*days = cfg.Audit.RetentionDays
		}
		if *days <= 0 {
			return usageError{"audit prune: entries are kept forever; pass --days N or set AUDIT_RETENTION_DAYS"}
		}
	}
	d, err := openDB(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer d.Close()
	if sub == "verify" {
		return auditVerify(ctx, d, stdout)
	}
	before := time.Now().UTC().AddDate(0, 0, -*days)
	res, err := audit.PruneDB(ctx, d, before, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pruned %d entries older than %s from %d chains\n", res.Entries, before.Format(time.RFC3339), res.Chains)
	return nil
}

func openDB(ctx context.Context, cfg config.Config, logger *slog.Logger) (*db.DB, error) {
	return db.Open(ctx, db.Options{URL: cfg.Database.URL, SQLitePath: cfg.Database.SQLitePath(), Logger: logger})
}

// auditVerify prints one line per chain and a summary; a broken chain
// makes it fail with brokenLogError.
func auditVerify(ctx context.Context, d *db.DB, stdout io.Writer) error {
	r, err := audit.VerifyDB(ctx, d)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	// VERIFIED counts the entries checked intact: of a broken chain, those
	// before the break.
	fmt.Fprintln(tw, "CHAIN\tSTATE\tVERIFIED\tDETAIL")
	var entries int64
	for _, c := range r.Chains {
		entries += c.Entries
		if c.Broken != nil {
			b := c.Broken
			at := fmt.Sprintf("at seq %d", b.Seq)
			if !b.EntryID.IsZero() {
				at += " (" + b.EntryID.String() + ")"
			}
			fmt.Fprintf(tw, "%s\tbroken\t%d\t%s: %s\n", c.Chain, c.Entries, at, b.Reason)
			continue
		}
		var detail string
		switch {
		case c.LastSeq == 0:
			detail = "empty"
		case c.LastSeq == c.AnchorSeq:
			detail = fmt.Sprintf("pruned through %d", c.AnchorSeq)
		case c.AnchorSeq > 0:
			detail = fmt.Sprintf("seq %d to %d, pruned through %d", c.AnchorSeq+1, c.LastSeq, c.AnchorSeq)
		default:
			detail = fmt.Sprintf("seq 1 to %d", c.LastSeq)
		}
		fmt.Fprintf(tw, "%s\tintact\t%d\t%s\n", c.Chain, c.Entries, detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	broken := len(r.Broken())
	if broken > 0 {
		return brokenLogError{broken: broken, chains: len(r.Chains)}
	}
	fmt.Fprintf(stdout, "the audit log is intact: %d chains, %d entries\n", len(r.Chains), entries)
	return nil
}

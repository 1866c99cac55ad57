package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/kernel"
)

// adminCmd runs "admin create|list|revoke": platform admins for operators
// and containers, with no browser and no setup link. It opens the app
// without workers: a set-password email it queues is sent by the workers
// of the server (serve or worker), now or at their next start.
func adminCmd(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer, base []app.Option) error {
	if len(args) == 0 {
		return usageError{"admin needs one of: create, list, revoke"}
	}
	sub := args[0]
	fs := flag.NewFlagSet("admin "+sub, flag.ContinueOnError)
	var email, name *string
	switch sub {
	case "create":
		email = fs.String("email", "", "the account's email address (created if it does not exist)")
		name = fs.String("name", "", "the display name of an account it creates")
	case "revoke":
		email = fs.String("email", "", "the platform admin's email address")
	case "list":
	default:
		return usageError{fmt.Sprintf("unknown admin command %q (want create, list or revoke)", sub)}
	}
	cfg, logger, err := setup(fs, args[1:], lookup, stderr)
	if err != nil {
		return err
	}
	if email != nil && *email == "" {
		return usageError{"admin " + sub + " needs --email"}
	}
	a, err := open(ctx, cfg, logger, append(append([]app.Option(nil), base...), app.WithoutWorkers())...)
	if err != nil {
		return err
	}
	defer a.Close()
	iam := a.IAM()
	switch sub {
	case "create":
		u, created, err := iam.CreateAccount(ctx, *email, *name)
		if err != nil {
			return err
		}
		if _, err := iam.SetPlatformAdmin(ctx, kernel.UserID{}, u.ID, true); err != nil {
			return err
		}
		if created {
			fmt.Fprintf(stdout, "created %s (%s); a set-password email is queued, valid 72 hours\n", u.Email, u.ID)
		}
		fmt.Fprintf(stdout, "%s is a platform admin\n", u.Email)
	case "revoke":
		u, err := iam.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		if _, err := iam.SetPlatformAdmin(ctx, kernel.UserID{}, u.ID, false); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s is no longer a platform admin\n", u.Email)
	case "list":
		admins, err := iam.PlatformAdmins(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tVERIFIED\tLAST SIGN-IN")
		for _, u := range admins {
			last := "never"
			if u.LastLoginAt != nil {
				last = u.LastLoginAt.UTC().Format("2006-01-02T15:04:05Z")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\n", u.ID, u.Email, u.Name, u.EmailVerified, last)
		}
		return tw.Flush()
	}
	return nil
}

// billingCmd runs "billing sync [--organization ID]": fetch the live
// subscriptions from the payment provider and repair drift, as the
// periodic reconciliation does.
func billingCmd(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer, base []app.Option) error {
	if len(args) == 0 || args[0] != "sync" {
		return usageError{"billing needs: sync [--organization ID]"}
	}
	fs := flag.NewFlagSet("billing sync", flag.ContinueOnError)
	orgFlag := fs.String("organization", "", "only this organization's subscription (org_…)")
	cfg, logger, err := setup(fs, args[1:], lookup, stderr)
	if err != nil {
		return err
	}
	var org kernel.OrganizationID
	if *orgFlag != "" {
		if org, err = kernel.ParseID[kernel.OrganizationKind](*orgFlag); err != nil {
			return usageError{fmt.Sprintf("billing sync: --organization %q is not an organization ID (org_…)", *orgFlag)}
		}
	}
	a, err := open(ctx, cfg, logger, append(append([]app.Option(nil), base...), app.WithoutWorkers())...)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Billing().Reconcile(ctx, org)
	fmt.Fprintf(stdout, "checked %d subscriptions with the payment provider\n", n)
	return err
}

// Package cli is the groundwork command: the HTTP API and the job workers
// in one binary, plus its operational subcommands. A product's own binary
// is cli.Main with its modules:
//
//	func main() { cli.Main(app.WithModules(tickets.New)) }
//
// and gets every command:
//
//	[serve] [--no-workers]   API and job workers (the default)
//	worker                   job workers only
//	migrate up|down|status   database migrations
//	audit verify|prune       check or prune the audit log
//	version                  print the version
//	help                     this text
//
// Configuration comes from the environment; see README.md.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
)

// Main runs the command named by the process's arguments with the
// process's environment, stops on SIGINT or SIGTERM, and exits with its
// status. opts are passed to app.New: a product's modules
// (app.WithModules), its middleware.
func Main(opts ...app.Option) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr, opts...)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2 // bad arguments or configuration
)

const usage = `Usage: groundwork [command] [flags]

Commands:
  serve [--no-workers]   serve the HTTP API and work jobs (default command);
                         --no-workers serves HTTP only (jobs are only enqueued)
  worker                 work jobs only, no HTTP API
  migrate up             apply every pending migration
  migrate down           roll back the most recent migration
  migrate status         list migrations and whether each is applied
  audit verify           check every audit chain; exit status 1 if one is broken
  audit prune [--days N] delete audit entries older than N days
                         (default AUDIT_RETENTION_DAYS)
  admin create --email E [--name N]
                         make E a platform admin, creating the account (with a
                         set-password email) when it does not exist
  admin list             list the platform admins
  admin revoke --email E end E's platform administration (never the last one)
  billing sync [--organization ID]
                         fetch the live subscriptions from the payment provider
                         and repair what webhooks missed
  version                print the version
  help                   print this text

Configuration is read from the environment (PORT, DATABASE_URL, DATA_DIR, …);
see README.md for every variable.
`

// usageError is a command-line mistake: exit status 2 with the usage hint.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Run is Main without the process: the command in args, the environment
// lookup reads, output to stdout and stderr; it returns the exit status (0
// done, 1 failed, 2 bad arguments or configuration).
func Run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer, opts ...app.Option) int {
	opts = append([]app.Option{app.WithEnvironment(lookup)}, opts...) // modules read their own settings where the configuration came from
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		cmd = "help"
	} else if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, lookup, stderr, opts)
	case "worker":
		err = worker(ctx, args, lookup, stderr, opts)
	case "migrate":
		err = migrate(ctx, args, lookup, stdout, stderr, opts)
	case "audit":
		err = auditCmd(ctx, args, lookup, stdout, stderr)
	case "admin":
		err = adminCmd(ctx, args, lookup, stdout, stderr, opts)
	case "billing":
		err = billingCmd(ctx, args, lookup, stdout, stderr, opts)
	case "version":
		err = version(args, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		err = usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
	return report(err, stderr)
}

func report(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	var ce configError
	var bad *config.Error
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "groundwork: %s\nRun 'groundwork help' for usage.\n", ue.msg)
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "groundwork: configuration: %s\n", ce.err)
		return exitUsage
	case errors.As(err, &bad): // a module's own setting (config.Settings)
		fmt.Fprintf(stderr, "groundwork: configuration: %s\n", bad)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "groundwork: %s\n", err)
		return exitFailed
	}
}

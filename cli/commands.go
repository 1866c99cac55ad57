package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"text/tabwriter"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
)

// configError is a bad environment: exit status 2, one line.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }

// setup parses flags and loads the configuration and logger.
func setup(fs *flag.FlagSet, args []string, lookup func(string) (string, bool), stderr io.Writer) (config.Config, *slog.Logger, error) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return config.Config{}, nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return config.Config{}, nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := config.Load(lookup)
	if err != nil {
		return config.Config{}, nil, configError{err}
	}
	return cfg, newLogger(cfg, stderr), nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Log.Level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// stoppedEarly reports whether err is a start cut short by the stop
// signal (ctx cancelled while, say, waiting for another process's
// migration lock): the stop was asked for, so it is a clean exit.
func stoppedEarly(ctx context.Context, err error, logger *slog.Logger) bool {
	if err == nil || ctx.Err() == nil {
		return false
	}
	logger.Info("stopped before start", "cause", err.Error())
	return true
}

// open builds the app and, unless AUTO_MIGRATE=false, migrates it.
func open(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...app.Option) (*app.App, error) {
	a, err := app.New(ctx, cfg, append(append([]app.Option(nil), opts...), app.WithLogger(logger))...)
	if err != nil {
		return nil, err
	}
	if cfg.Database.AutoMigrate {
		if err := a.Migrate(ctx); err != nil {
			_ = a.Close()
			return nil, err
		}
	}
	return a, nil
}

// openAndStart is open, then Start. A nil App comes with the error to
// exit with: nil when the stop signal cut the start short (a clean exit).
func openAndStart(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...app.Option) (*app.App, error) {
	a, err := open(ctx, cfg, logger, opts...)
	if stoppedEarly(ctx, err, logger) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Close()
		if stoppedEarly(ctx, err, logger) {
			return nil, nil
		}
		return nil, err
	}
	return a, nil
}

func serve(ctx context.Context, args []string, lookup func(string) (string, bool), stderr io.Writer, base []app.Option) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	noWorkers := fs.Bool("no-workers", false, "serve HTTP only; jobs are enqueued for 'groundwork worker' processes")
	cfg, logger, err := setup(fs, args, lookup, stderr)
	if err != nil {
		return err
	}
	opts := append([]app.Option(nil), base...)
	if *noWorkers {
		opts = append(opts, app.WithoutWorkers())
	}
	a, err := openAndStart(ctx, cfg, logger, opts...)
	if a == nil {
		return err // nil when the stop signal came first
	}
	defer a.Close()
	// While nobody administers the platform, one line with a fresh setup
	// link (the earlier one stops working).
	if link, err := a.Platform().PrepareBootstrap(ctx); err != nil {
		logger.Warn("could not prepare the first-run setup link", "error", err)
	} else if link != "" {
		logger.Warn("no platform admin yet: sign in and open this setup link within 30 minutes to become the first one (or run groundwork admin create --email E)",
			"url", link)
	}
	addr := net.JoinHostPort("", strconv.Itoa(cfg.Server.Port))
	err = a.Serve(ctx, addr, func(bound net.Addr) {
		logger.Info("groundwork is listening",
			"url", cfg.Server.URL.String(), "addr", bound.String(),
			"database", string(a.DB().Dialect()), "workers", !*noWorkers, "version", app.Version)
	})
	if err != nil {
		return err
	}
	logger.Info("shutting down: draining jobs")
	if err := a.Stop(context.Background()); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

func worker(ctx context.Context, args []string, lookup func(string) (string, bool), stderr io.Writer, base []app.Option) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	cfg, logger, err := setup(fs, args, lookup, stderr)
	if err != nil {
		return err
	}
	a, err := openAndStart(ctx, cfg, logger, base...)
	if a == nil {
		return err // nil when the stop signal came first
	}
	defer a.Close()
	logger.Info("groundwork worker is running", "database", string(a.DB().Dialect()), "version", app.Version)
	<-ctx.Done()
	logger.Info("shutting down: draining jobs")
	if err := a.Stop(context.Background()); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

func migrate(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer, base []app.Option) error {
	if len(args) == 0 {
		return usageError{"migrate needs one of: up, down, status"}
	}
	sub := args[0]
	fs := flag.NewFlagSet("migrate "+sub, flag.ContinueOnError)
	cfg, logger, err := setup(fs, args[1:], lookup, stderr)
	if err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, append(append([]app.Option(nil), base...), app.WithLogger(logger), app.WithoutWorkers())...)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Connect(ctx); err != nil {
		return err
	}
	m := a.Migrator()
	switch sub {
	case "up":
		if err := m.Up(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "all migrations are applied")
	case "down":
		set, err := m.Down(ctx)
		if err != nil {
			return err
		}
		if set == "" {
			fmt.Fprintln(stdout, "nothing to roll back")
		} else {
			fmt.Fprintf(stdout, "rolled back the latest migration of %s\n", set)
		}
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SET\tVERSION\tNAME\tSTATE\tAPPLIED AT")
		for _, s := range st {
			state, at := "pending", ""
			if s.Applied {
				state = "applied"
				if !s.AppliedAt.IsZero() {
					at = s.AppliedAt.Format("2006-01-02T15:04:05Z")
				}
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.Set, s.Version, s.Name, state, at)
		}
		return tw.Flush()
	default:
		return usageError{fmt.Sprintf("unknown migrate command %q (want up, down or status)", sub)}
	}
	return nil
}

func version(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", args[0])}
	}
	fmt.Fprintf(stdout, "groundwork %s\n", app.Version)
	return nil
}

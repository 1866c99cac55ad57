// Command loadtest reproduces the iam benchmarks: it boots Groundwork in
// process on a fresh database, serves it on loopback, drives it with a fixed
// number of keep-alive connections and reports requests per second and
// latency percentiles per scenario.
//
//	go run ./cmd/loadtest [-duration 10s] [-connections 64] [-db sqlite|postgres]
//	                      [-database-url postgres://…] [-scenario get-session,bare,sign-in,hash,org-members] [-json]
//
// Scenarios:
//
//	get-session  GET /api/auth/get-session with a valid session cookie
//	bare         GET /bench/bare/{id}: a handler of this tool's own that
//	             selects one users row by primary key (pgx on PostgreSQL,
//	             database/sql and the SQLite driver on SQLite) and writes it
//	sign-in      POST /api/auth/sign-in/email with the right password
//	hash         argon2id at iam's parameters on runtime.NumCPU() goroutines,
//	             no HTTP: the host's hash rate
//
// It then prints the ratios the benchmarks are judged by: get-session ÷
// bare (target ≥ 75%) and sign-in ÷ hash rate (target ≥ 85%).
//
// On PostgreSQL it creates a database of its own (gwload_<random>) on the
// server of -database-url (default $TEST_POSTGRES_URL) and drops it after.
// Client and server share the host's CPUs, as on a one-host deployment with
// its load balancer. The exit status is 1 when any request failed, 2 on bad
// flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/groundworkhq/groundwork/db"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // setup failed, or some requests failed
	exitUsage  = 2
)

// options are the command line, checked.
type options struct {
	duration    time.Duration
	warmup      time.Duration
	connections int
	dialect     db.Dialect
	databaseURL string // the server to create the run's database on
	scenarios   []string
	json        bool
	cpuprofile  string
	rounds      int
}

// parseOptions reads the flags; lookup supplies TEST_POSTGRES_URL.
func parseOptions(args []string, lookup func(string) (string, bool), stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var dialect, scenarios string
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured time before each scenario's measurement")
	fs.IntVar(&o.connections, "connections", 64, "concurrent keep-alive connections (HTTP scenarios)")
	fs.StringVar(&dialect, "db", "sqlite", "database: sqlite or postgres")
	fs.StringVar(&o.databaseURL, "database-url", "", "PostgreSQL server to create the run's database on (default $TEST_POSTGRES_URL)")
	fs.StringVar(&scenarios, "scenario", strings.Join(scenarioNames, ","), "comma-separated scenarios, run in this order")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON")
	fs.IntVar(&o.rounds, "rounds", 4, "rounds the scenarios take turns in; each gets duration/rounds per round")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the whole run (server and client) to this file")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case o.duration <= 0:
		return o, errors.New("-duration must be positive")
	case o.warmup < 0:
		return o, errors.New("-warmup must not be negative")
	case o.connections < 1:
		return o, errors.New("-connections must be at least 1")
	case o.rounds < 1 || o.duration/time.Duration(o.rounds) < time.Millisecond:
		return o, errors.New("-rounds must be at least 1 and leave each round a millisecond")
	}
	switch db.Dialect(dialect) {
	case db.SQLite:
		o.dialect = db.SQLite
	case db.Postgres:
		o.dialect = db.Postgres
		if o.databaseURL == "" {
			o.databaseURL, _ = lookup("TEST_POSTGRES_URL")
		}
		if o.databaseURL == "" {
			return o, errors.New("-db postgres needs -database-url or TEST_POSTGRES_URL")
		}
	default:
		return o, fmt.Errorf("-db %q: want sqlite or postgres", dialect)
	}
	seen := map[string]bool{}
	for s := range strings.SplitSeq(scenarios, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !isScenario(s) {
			return o, fmt.Errorf("-scenario %q: want some of %s", s, strings.Join(scenarioNames, ","))
		}
		if !seen[s] {
			seen[s] = true
			o.scenarios = append(o.scenarios, s)
		}
	}
	if len(o.scenarios) == 0 {
		return o, errors.New("-scenario names none")
	}
	return o, nil
}

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	o, err := parseOptions(args, lookup, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %s\n", err)
		return exitUsage
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: %s\n", err)
			return exitUsage
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "loadtest: %s\n", err)
			return exitFailed
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := measure(ctx, o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %s\n", err)
		return exitFailed
	}
	if o.json {
		err = rep.writeJSON(stdout)
	} else {
		err = rep.writeTable(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %s\n", err)
		return exitFailed
	}
	if rep.failed() {
		fmt.Fprintln(stderr, "loadtest: some requests failed; see the errors column")
		return exitFailed
	}
	return exitOK
}

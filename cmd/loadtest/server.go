package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
)

// server is Groundwork running in this process on a database of its own,
// served on a loopback port.
type server struct {
	URL   string // http://127.0.0.1:port
	App   *app.App
	bench *benchModule

	stopServing context.CancelFunc
	served      chan error
	cleanups    []func() error // run in reverse order by close
}

// startServer boots the app the way `groundwork serve` does — migrated,
// workers started — with the bench module added, and serves it. On error
// everything it made is undone.
func startServer(ctx context.Context, o options, logger *slog.Logger) (s *server, err error) {
	s = &server{}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.close())
			s = nil
		}
	}()

	dataDir, err := os.MkdirTemp("", "gwload-")
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	s.cleanups = append(s.cleanups, func() error { return os.RemoveAll(dataDir) })

	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + addr
	env := map[string]string{
		"DATA_DIR":                   dataDir,
		"SERVER_URL":                 s.URL,
		"EMAIL_PROVIDER":             config.EmailNone,
		"LOG_LEVEL":                  "warn",
		"REQUIRE_EMAIL_VERIFICATION": "false",
	}
	if o.dialect == db.Postgres {
		dbURL, drop, err := createDatabase(ctx, o.databaseURL)
		if err != nil {
			return nil, err
		}
		s.cleanups = append(s.cleanups, drop)
		env["DATABASE_URL"] = dbURL
	}
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}

	s.bench = &benchModule{sqlitePath: cfg.Database.SQLitePath()}
	s.cleanups = append(s.cleanups, s.bench.close) // the factory may have opened its pool
	a, err := app.New(ctx, cfg, app.WithLogger(logger), app.WithModules(s.bench.factory))
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	s.App = a
	s.cleanups = append(s.cleanups, a.Close)
	if err := a.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := a.Start(ctx); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}

	serveCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stopServing = cancel
	s.served = make(chan error, 1)
	listening := make(chan struct{})
	go func() {
		s.served <- a.Serve(serveCtx, addr, func(net.Addr) { close(listening) })
	}()
	select {
	case <-listening:
	case err := <-s.served:
		s.served = nil
		return nil, err
	}
	return s, nil
}

// close stops serving, then undoes the rest in reverse order: the app, the
// bench pool, the database, the data folder.
func (s *server) close() error {
	var errs []error
	if s.stopServing != nil {
		s.stopServing()
		if s.served != nil {
			errs = append(errs, <-s.served)
		}
	}
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		errs = append(errs, s.cleanups[i]())
	}
	return errors.Join(errs...)
}

// freeLoopbackAddr returns a loopback address with a port free right now.
// The server binds it a moment later: SERVER_URL must name the port before
// app.New, and app.Serve does its own listening.
func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("pick a port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("pick a port: %w", err)
	}
	return addr, nil
}

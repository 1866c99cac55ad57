package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"time"
)

// measure boots the server, makes the run's accounts, checks each scenario
// once, then runs them in order and reports.
func measure(ctx context.Context, o options, stderr io.Writer) (rep *report, err error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := startServer(ctx, o, logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := srv.close(); cerr != nil && err == nil {
			err = fmt.Errorf("shut down: %w", cerr)
		}
	}()

	t, err := prepare(ctx, srv, o)
	if err != nil {
		return nil, err
	}
	rep = &report{
		Dialect:     string(o.dialect),
		CPUs:        runtime.NumCPU(),
		GOMAXPROCS:  runtime.GOMAXPROCS(0),
		GoVersion:   runtime.Version(),
		Connections: o.connections,
		Duration:    o.duration,
		SignInUsers: len(t.signIn),
	}
	for _, name := range o.scenarios {
		_, do := t.scenario(name, o.connections)
		if err := do(ctx, 0); err != nil {
			return nil, fmt.Errorf("%s does not work before the run: %w", name, err)
		}
	}
	// The scenarios take turns, round after round, so none is always the
	// one measured first on a cold process (a bias of several points
	// between get-session and bare otherwise).
	results := make([]result, len(o.scenarios))
	slice := o.duration / time.Duration(o.rounds)
	for round := range o.rounds {
		for i, name := range o.scenarios {
			// Every round warms up: a scenario whose requests take most of
			// a second (sign-in) completes nothing early in a cold round.
			workers, do := t.scenario(name, o.connections)
			r := runLoad(ctx, name, workers, o.warmup, slice, do)
			if round == 0 {
				results[i] = r
			} else {
				results[i] = results[i].merge(r)
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	for i := range results {
		slices.Sort(results[i].latencies)
	}
	rep.Results = results
	return rep, nil
}

// password is every run account's password.
const password = "correct horse battery staple"

// prepare signs up the run's users: the main one, whose session get-session
// presents and whose row bare selects, and one per connection for sign-in
// to cycle through, so that concurrent sign-ins do not queue on one user's
// row. It lifts the rate limits first.
func prepare(ctx context.Context, srv *server, o options) (*target, error) {
	t := &target{
		base:   srv.URL,
		client: newHTTPClient(o.connections),
		bufs:   make([]bytes.Buffer, max(o.connections, runtime.NumCPU())),
	}
	run := randomHex(4)
	var mainUser []credentials
	if slices.Contains(o.scenarios, scenarioGetSession) || slices.Contains(o.scenarios, scenarioBare) ||
		slices.Contains(o.scenarios, scenarioOrgMembers) {
		mainUser = append(mainUser, credentials{Email: "main-" + run + "@loadtest.invalid", Password: password, Name: "Load Test"})
	}
	var signIn []credentials
	if slices.Contains(o.scenarios, scenarioSignIn) {
		for i := range o.connections {
			signIn = append(signIn, credentials{
				Email: fmt.Sprintf("signin-%d-%s@loadtest.invalid", i, run), Password: password, Name: "Load Test",
			})
		}
	}
	var emails []string
	for _, c := range append(mainUser, signIn...) {
		emails = append(emails, c.Email)
	}
	if err := liftRateLimits(ctx, srv.App.DB(), emails); err != nil {
		return nil, err
	}

	for _, c := range mainUser {
		var err error
		if t.main, err = signUp(ctx, t.client, t.base, c); err != nil {
			return nil, err
		}
	}
	if slices.Contains(o.scenarios, scenarioOrgMembers) {
		if err := t.prepareOrganization(ctx, run, srv.App.Tenancy()); err != nil {
			return nil, err
		}
	}
	for _, c := range signIn {
		a, err := signUp(ctx, t.client, t.base, c)
		if err != nil {
			return nil, err
		}
		a.signInBody, _ = json.Marshal(credentials{Email: a.Email, Password: a.Password})
		t.signIn = append(t.signIn, a)
	}
	return t, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

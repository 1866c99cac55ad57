package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRun_EveryScenarioProducesWork runs each scenario briefly on SQLite
// with few connections and checks that it completed work without a failure,
// and that the ratios are computed. It asserts no timing.
func TestRun_EveryScenarioProducesWork(t *testing.T) {
	t.Parallel()
	// Sign-in and hash are bound by argon2id (about 20 ms a hash, many
	// times that under the race detector on a busy machine), so they get a
	// window wide enough for some to complete; the others are cheap.
	runs := []struct {
		duration    string
		connections int
		scenarios   []string
		ratios      int // the targets these scenarios allow
	}{
		{"300ms", 4, []string{"get-session", "bare", "org-members"}, 2},
		{"5s", 2, []string{"sign-in", "hash"}, 1},
	}
	for _, r := range runs {
		t.Run(strings.Join(r.scenarios, ","), func(t *testing.T) {
			t.Parallel()
			rep := runJSON(t, "-duration", r.duration, "-warmup", "0", "-connections", strconv.Itoa(r.connections),
				"-db", "sqlite", "-json", "-scenario", strings.Join(r.scenarios, ","))
			if rep.Dialect != "sqlite" || rep.Connections != r.connections || rep.CPUs < 1 {
				t.Errorf("header: dialect %q, connections %d, cpus %d", rep.Dialect, rep.Connections, rep.CPUs)
			}
			got := map[string]jsonScenario{}
			for _, s := range rep.Scenarios {
				got[s.Name] = s
			}
			for _, name := range r.scenarios {
				s, ok := got[name]
				switch {
				case !ok:
					t.Errorf("%s: missing from the report", name)
				case s.Completed == 0 || s.PerSecond <= 0:
					t.Errorf("%s: completed %d (%.1f/s), want some", name, s.Completed, s.PerSecond)
				case s.Errors != 0:
					t.Errorf("%s: %d errors, the first: %s", name, s.Errors, s.FirstError)
				case s.P50Ms <= 0 || s.P99Ms < s.P50Ms:
					t.Errorf("%s: p50 %.3fms, p99 %.3fms", name, s.P50Ms, s.P99Ms)
				}
			}
			if len(rep.Ratios) != r.ratios {
				t.Errorf("ratios: %+v, want the %d these scenarios allow", rep.Ratios, r.ratios)
			}
		})
	}
}

func runJSON(t *testing.T, args ...string) jsonReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, args, noEnv, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, &stdout, &stderr)
	}
	var rep jsonReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("decode -json output: %v\n%s", err, &stdout)
	}
	return rep
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	withPG := func(k string) (string, bool) {
		if k == "TEST_POSTGRES_URL" {
			return "postgres://pg@127.0.0.1/test", true
		}
		return "", false
	}
	tests := []struct {
		name    string
		args    []string
		lookup  func(string) (string, bool)
		wantErr string
		check   func(t *testing.T, o options)
	}{
		{name: "defaults", lookup: noEnv, check: func(t *testing.T, o options) {
			if o.duration != 10*time.Second || o.connections != 64 || o.dialect != "sqlite" ||
				strings.Join(o.scenarios, ",") != "get-session,bare,sign-in,hash,org-members" || o.json {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{name: "postgres from the environment", args: []string{"-db", "postgres"}, lookup: withPG, check: func(t *testing.T, o options) {
			if o.databaseURL != "postgres://pg@127.0.0.1/test" {
				t.Errorf("database url %q", o.databaseURL)
			}
		}},
		{name: "flag wins over the environment", args: []string{"-db", "postgres", "-database-url", "postgres://x/y"}, lookup: withPG,
			check: func(t *testing.T, o options) {
				if o.databaseURL != "postgres://x/y" {
					t.Errorf("database url %q", o.databaseURL)
				}
			}},
		{name: "scenarios deduplicated in order", args: []string{"-scenario", "hash, bare,hash"}, lookup: noEnv, check: func(t *testing.T, o options) {
			if strings.Join(o.scenarios, ",") != "hash,bare" {
				t.Errorf("scenarios %v", o.scenarios)
			}
		}},
		{name: "postgres without a server", args: []string{"-db", "postgres"}, lookup: noEnv, wantErr: "-database-url"},
		{name: "unknown dialect", args: []string{"-db", "mysql"}, lookup: noEnv, wantErr: "want sqlite or postgres"},
		{name: "unknown scenario", args: []string{"-scenario", "bare,login"}, lookup: noEnv, wantErr: `"login"`},
		{name: "no scenario", args: []string{"-scenario", ","}, lookup: noEnv, wantErr: "names none"},
		{name: "zero connections", args: []string{"-connections", "0"}, lookup: noEnv, wantErr: "-connections"},
		{name: "zero duration", args: []string{"-duration", "0s"}, lookup: noEnv, wantErr: "-duration"},
		{name: "stray argument", args: []string{"bare"}, lookup: noEnv, wantErr: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			o, err := parseOptions(tt.args, tt.lookup, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			tt.check(t, o)
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var r result
	for i := 1; i <= 100; i++ {
		r.latencies = append(r.latencies, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{0.50, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}, {0, time.Millisecond}} {
		if got := r.Percentile(tt.p); got != tt.want {
			t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := (result{}).Percentile(0.99); got != 0 {
		t.Errorf("Percentile of nothing = %v, want 0", got)
	}
}

func noEnv(string) (string, bool) { return "", false }

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// report is one run: where it ran and what each scenario measured.
type report struct {
	Dialect     string
	CPUs        int // runtime.NumCPU()
	GOMAXPROCS  int
	GoVersion   string
	Connections int
	Duration    time.Duration // measured time per scenario
	SignInUsers int           // accounts sign-in cycles through
	Results     []result
}

// ratio compares two scenarios' rates against the benchmark's target.
type ratio struct {
	Name   string  // "get-session ÷ bare"
	Value  float64 // of ÷ over
	Target float64
}

// Met reports whether the ratio reaches its target.
func (r ratio) Met() bool { return r.Value >= r.Target }

// The benchmarks' targets (issue "iam", Benchmarks).
var ratioTargets = []struct {
	of, over string
	target   float64
}{
	{scenarioGetSession, scenarioBare, 0.75},
	{scenarioSignIn, scenarioHash, 0.85},
	{scenarioOrgMembers, scenarioBare, 0.60},
}

func (r *report) result(name string) (result, bool) {
	for _, res := range r.Results {
		if res.Name == name {
			return res, true
		}
	}
	return result{}, false
}

// ratios returns the targets' ratios whose two scenarios both ran.
func (r *report) ratios() []ratio {
	var out []ratio
	for _, t := range ratioTargets {
		of, ok1 := r.result(t.of)
		over, ok2 := r.result(t.over)
		if !ok1 || !ok2 || over.Rate() == 0 {
			continue
		}
		out = append(out, ratio{Name: t.of + " ÷ " + t.over, Value: of.Rate() / over.Rate(), Target: t.target})
	}
	return out
}

// failed reports whether any operation failed.
func (r *report) failed() bool {
	for _, res := range r.Results {
		if res.Errors > 0 {
			return true
		}
	}
	return false
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// writeTable prints the report for people.
func (r *report) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "loadtest: %s · %d CPUs (GOMAXPROCS %d) · %d connections · %s per scenario · %s\n\n",
		r.Dialect, r.CPUs, r.GOMAXPROCS, r.Connections, r.Duration, r.GoVersion)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-12s\tworkers\tcompleted\terrors\tper second\tp50\tp99\t\n", "scenario")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%-12s\t%d\t%d\t%d\t%.1f\t%.2fms\t%.2fms\t\n",
			res.Name, res.Workers, res.Count, res.Errors, res.Rate(), ms(res.Percentile(0.50)), ms(res.Percentile(0.99)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.SignInUsers > 0 {
		fmt.Fprintf(w, "\nsign-in cycles through %d accounts.\n", r.SignInUsers)
	}
	if ratios := r.ratios(); len(ratios) > 0 {
		fmt.Fprintln(w)
		for _, q := range ratios {
			verdict := "meets"
			if !q.Met() {
				verdict = "BELOW"
			}
			fmt.Fprintf(w, "%-20s %6.1f%%  (target ≥ %.0f%%: %s)\n", q.Name, 100*q.Value, 100*q.Target, verdict)
		}
	}
	for _, res := range r.Results {
		if res.Errors > 0 {
			fmt.Fprintf(w, "\n%s: %d errors; the first: %s\n", res.Name, res.Errors, res.FirstError)
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// jsonReport is the -json shape; times are in milliseconds and seconds.
type jsonReport struct {
	Dialect         string         `json:"dialect"`
	CPUs            int            `json:"cpus"`
	GOMAXPROCS      int            `json:"gomaxprocs"`
	GoVersion       string         `json:"goVersion"`
	Connections     int            `json:"connections"`
	DurationSeconds float64        `json:"durationSeconds"`
	SignInUsers     int            `json:"signInUsers,omitempty"`
	Scenarios       []jsonScenario `json:"scenarios"`
	Ratios          []jsonRatio    `json:"ratios"`
}

type jsonScenario struct {
	Name       string  `json:"name"`
	Workers    int     `json:"workers"`
	Completed  int     `json:"completed"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	PerSecond  float64 `json:"perSecond"`
	P50Ms      float64 `json:"p50Ms"`
	P99Ms      float64 `json:"p99Ms"`
}

type jsonRatio struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Target float64 `json:"target"`
	Met    bool    `json:"met"`
}

// writeJSON prints the report for machines.
func (r *report) writeJSON(w io.Writer) error {
	out := jsonReport{
		Dialect: r.Dialect, CPUs: r.CPUs, GOMAXPROCS: r.GOMAXPROCS, GoVersion: r.GoVersion,
		Connections: r.Connections, DurationSeconds: r.Duration.Seconds(), SignInUsers: r.SignInUsers,
		Scenarios: []jsonScenario{}, Ratios: []jsonRatio{},
	}
	for _, res := range r.Results {
		out.Scenarios = append(out.Scenarios, jsonScenario{
			Name: res.Name, Workers: res.Workers, Completed: res.Count, Errors: res.Errors, FirstError: res.FirstError,
			PerSecond: res.Rate(), P50Ms: ms(res.Percentile(0.50)), P99Ms: ms(res.Percentile(0.99)),
		})
	}
	for _, q := range r.ratios() {
		out.Ratios = append(out.Ratios, jsonRatio{Name: q.Name, Value: q.Value, Target: q.Target, Met: q.Met()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

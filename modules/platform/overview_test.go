package platform_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/platform"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

const overviewPath = "/api/v1/platform/overview"

// overviewJSON is the overview as a client reads it.
type overviewJSON struct {
	GeneratedAt time.Time `json:"generatedAt"`
	Users       struct {
		Total         int64     `json:"total"`
		Verified      int64     `json:"verified"`
		SignedIn7d    int64     `json:"signedIn7d"`
		SignedIn30d   int64     `json:"signedIn30d"`
		SignUpsPerDay []dayJSON `json:"signUpsPerDay"`
	} `json:"users"`
	Organizations struct {
		Total         int64     `json:"total"`
		CreatedPerDay []dayJSON `json:"createdPerDay"`
	} `json:"organizations"`
	Jobs struct {
		ByState map[string]int64 `json:"byState"`
	} `json:"jobs"`
	Gadgets *gadgetsJSON `json:"gadgets"`
}

type dayJSON struct {
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

type gadgetsJSON struct {
	Made int       `json:"made"`
	AsOf time.Time `json:"asOf"`
}

// gadgets is a product module with a section of the overview ("gadgets")
// and a job kind; failWith, when set, is the section's error.
type gadgets struct {
	failWith atomic.Pointer[error]
}

func (m *gadgets) Name() string       { return "gadgets" }
func (m *gadgets) Routes(*web.Router) {}

type gadgetArgs struct{}

func (gadgetArgs) Kind() string { return "gadgets.make" }

func (m *gadgets) Workers(reg *jobs.Registry) {
	jobs.AddWorker(reg, river.WorkFunc(func(context.Context, *river.Job[gadgetArgs]) error { return nil }))
}

func (m *gadgets) OverviewSections() []platform.OverviewSection {
	return []platform.OverviewSection{{
		Key: "gadgets",
		ReadFunc: func(_ context.Context, now time.Time) (any, error) {
			if err := m.failWith.Load(); err != nil {
				return nil, *err
			}
			return gadgetsJSON{Made: 7, AsOf: now}, nil
		},
	}}
}

var _ platform.OverviewContributor = (*gadgets)(nil)

// newGadgets returns the module and the factory app.WithModules takes.
func newGadgets() (*gadgets, app.ModuleFactory) {
	m := &gadgets{}
	return m, func(app.Deps) (app.Module, error) { return m, nil }
}

// readOverview reads the overview as c, which must be let through, and
// checks the order of its keys.
func readOverview(t *testing.T, c *testkit.Client, wantKeys ...string) overviewJSON {
	t.Helper()
	r := c.Get(overviewPath).RequireStatus(t, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	if keys := topLevelKeys(t, r.Body); !slices.Equal(keys, wantKeys) {
		t.Errorf("keys = %v, want %v", keys, wantKeys)
	}
	var o overviewJSON
	r.JSON(t, &o)
	return o
}

// topLevelKeys returns the keys of the JSON object b, in order.
func topLevelKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// series returns the 30 dates up to and including last's, oldest first,
// with the counts given by date and zero elsewhere.
func series(last time.Time, counts map[string]int64) []dayJSON {
	out := make([]dayJSON, 30)
	for i := range out {
		date := last.AddDate(0, 0, i-29).Format(time.DateOnly)
		out[i] = dayJSON{Date: date, Count: counts[date]}
	}
	return out
}

func TestOverview(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		mod, factory := newGadgets()
		a := testkit.New(t, dialect, testkit.WithAppOptions(app.WithModules(factory)))
		at := func(y int, m time.Month, d, h, min, s int) { a.Clock.Set(time.Date(y, m, d, h, min, s, 0, time.UTC)) }

		// Outside the 30 days: two accounts and an organization.
		at(2026, 1, 15, 9, 0, 0)
		a.SignUp(t, testkit.NewEmail("ancient"), "Ancient", false)
		early := a.SignUp(t, testkit.NewEmail("early"), "Early", true)
		createOrg(t, early.Client, "Early")
		// Within them, on the last second of a UTC date and the first of the
		// next.
		at(2026, 2, 14, 12, 0, 0)
		a.SignUp(t, testkit.NewEmail("mid"), "Mid One", false)
		at(2026, 2, 14, 23, 59, 59)
		mid := a.SignUp(t, testkit.NewEmail("mid"), "Mid Two", true)
		at(2026, 2, 15, 0, 0, 0)
		createOrg(t, mid.Client, "Mid")
		// Early signs in again within the last week.
		at(2026, 2, 23, 9, 0, 0)
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": early.Email, "password": testkit.Password}).
			RequireStatus(t, http.StatusOK)
		// Today.
		at(2026, 3, 1, 9, 0, 0)
		today := a.SignUp(t, testkit.NewEmail("today"), "Today", true)
		createOrg(t, today.Client, "Today")
		admin := a.SignUp(t, testkit.NewEmail("admin"), "Admin", false)

		got := readOverview(t, a.Client().AsPlatformAdmin(admin.ID),
			"generatedAt", "users", "organizations", "jobs", "billing", "usage", "gadgets")

		now := a.Clock.Now()
		if !got.GeneratedAt.Equal(now) {
			t.Errorf("generatedAt = %s, want the clock's %s", got.GeneratedAt, now)
		}
		u := got.Users
		// ancient, early, mid ×2, today, admin; verified: early, mid two,
		// today; since Feb 22 09:00: early, today, admin; since Jan 30
		// 09:00: all but ancient.
		if u.Total != 6 || u.Verified != 3 || u.SignedIn7d != 3 || u.SignedIn30d != 5 {
			t.Errorf("users = total %d, verified %d, signedIn7d %d, signedIn30d %d; want 6, 3, 3, 5",
				u.Total, u.Verified, u.SignedIn7d, u.SignedIn30d)
		}
		if want := series(now, map[string]int64{"2026-02-14": 2, "2026-03-01": 2}); !slices.Equal(u.SignUpsPerDay, want) {
			t.Errorf("signUpsPerDay =\n%v\nwant\n%v", u.SignUpsPerDay, want)
		}
		if first := u.SignUpsPerDay[0].Date; first != "2026-01-31" {
			t.Errorf("the series starts on %s, want 2026-01-31", first)
		}
		o := got.Organizations
		if o.Total != 3 {
			t.Errorf("organizations total = %d, want 3", o.Total)
		}
		if want := series(now, map[string]int64{"2026-02-15": 1, "2026-03-01": 1}); !slices.Equal(o.CreatedPerDay, want) {
			t.Errorf("createdPerDay =\n%v\nwant\n%v", o.CreatedPerDay, want)
		}
		states := make([]string, 0, len(got.Jobs.ByState))
		for s := range got.Jobs.ByState {
			states = append(states, s)
		}
		slices.Sort(states)
		if want := riverStates(); !slices.Equal(states, want) {
			t.Errorf("job states = %v, want %v", states, want)
		}
		if got.Gadgets == nil || got.Gadgets.Made != 7 || !got.Gadgets.AsOf.Equal(now) {
			t.Errorf("gadgets = %+v, want made 7 as of %s", got.Gadgets, now)
		}

		// The gate: nobody, a signed-in user who is not an admin, an
		// impersonated session.
		a.Client().Get(overviewPath).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		today.Get(overviewPath).RequireProblem(t, http.StatusForbidden, "platform.forbidden")
		impersonated := a.Client().AsPlatformAdmin(today.ID)
		impersonated.SetHeader(testkit.HeaderImpersonator, admin.ID.String())
		impersonated.Get(overviewPath).RequireProblem(t, http.StatusForbidden, "platform.impersonating")

		// A section that fails fails the request with its error.
		unavailable := error(kernel.Unavailable("gadgets.unavailable", "The gadget counter is down."))
		mod.failWith.Store(&unavailable)
		a.Client().AsPlatformAdmin(admin.ID).Get(overviewPath).
			RequireProblem(t, http.StatusServiceUnavailable, "gadgets.unavailable")
		broken := errors.New("gadgets: connection reset")
		mod.failWith.Store(&broken)
		a.Client().AsPlatformAdmin(admin.ID).Get(overviewPath).
			RequireProblem(t, http.StatusInternalServerError, "internal")
	})
}

func TestOverviewCountsJobsByState(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		_, factory := newGadgets()
		// No workers: the jobs stay where the test puts them.
		a := testkit.New(t, dialect, testkit.WithoutWorkers(), testkit.WithAppOptions(app.WithModules(factory)))
		admin := a.Client().AsPlatformAdmin(kernel.NewID[kernel.UserKind]())
		ctx := context.Background()

		empty := readOverview(t, admin, "generatedAt", "users", "organizations", "jobs", "billing", "usage", "gadgets")
		want := map[string]int64{}
		for _, s := range riverStates() {
			want[s] = 0
		}
		if !maps.Equal(empty.Jobs.ByState, want) {
			t.Errorf("byState of an empty queue = %v, want %v", empty.Jobs.ByState, want)
		}
		if empty.Users.Total != 0 || empty.Organizations.Total != 0 || len(empty.Users.SignUpsPerDay) != 30 {
			t.Errorf("an empty platform: users %+v, organizations %+v", empty.Users, empty.Organizations)
		}

		for range 3 {
			if _, err := a.Jobs().Insert(ctx, gadgetArgs{}, nil); err != nil {
				t.Fatal(err)
			}
		}
		later := &river.InsertOpts{ScheduledAt: a.Clock.Now().AddDate(1, 0, 0)}
		for range 2 {
			if _, err := a.Jobs().Insert(ctx, gadgetArgs{}, later); err != nil {
				t.Fatal(err)
			}
		}
		want[string(rivertype.JobStateAvailable)] = 3
		want[string(rivertype.JobStateScheduled)] = 2
		if got := readOverview(t, admin, "generatedAt", "users", "organizations", "jobs", "billing", "usage", "gadgets"); !maps.Equal(got.Jobs.ByState, want) {
			t.Errorf("byState = %v, want %v", got.Jobs.ByState, want)
		}
	})
}

// TestOverviewKeyClaimedTwice: a product's section under a key Groundwork
// uses stops the boot.
func TestOverviewKeyClaimedTwice(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(k string) (string, bool) {
		return map[string]string{"DATA_DIR": t.TempDir()}[k], k == "DATA_DIR"
	})
	if err != nil {
		t.Fatal(err)
	}
	thief := func(app.Deps) (app.Module, error) { return usersThief{}, nil }
	defer func() {
		if r := recover(); r == nil {
			t.Error("app.New did not panic")
		} else if msg := fmt.Sprint(r); msg != `platform: overview section "users": the key is taken` {
			t.Errorf("panic = %q", msg)
		}
	}()
	a, err := app.New(context.Background(), cfg, app.WithModules(thief))
	if err == nil {
		_ = a.Close()
	}
}

type usersThief struct{}

func (usersThief) Name() string       { return "thief" }
func (usersThief) Routes(*web.Router) {}
func (usersThief) OverviewSections() []platform.OverviewSection {
	return []platform.OverviewSection{{Key: "users", ReadFunc: func(context.Context, time.Time) (any, error) { return 0, nil }}}
}

func TestAddOverviewRefusesBadSections(t *testing.T) {
	t.Parallel()
	read := func(context.Context, time.Time) (any, error) { return 1, nil }
	tests := []struct {
		name     string
		sections []platform.OverviewSection
	}{
		{"empty key", []platform.OverviewSection{{Key: "", ReadFunc: read}}},
		{"upper case", []platform.OverviewSection{{Key: "Sales", ReadFunc: read}}},
		{"not camelCase", []platform.OverviewSection{{Key: "top-meters", ReadFunc: read}}},
		{"the overview's own key", []platform.OverviewSection{{Key: "generatedAt", ReadFunc: read}}},
		{"twice at once", []platform.OverviewSection{{Key: "sales", ReadFunc: read}, {Key: "sales", ReadFunc: read}}},
		{"taken", []platform.OverviewSection{{Key: "taken", ReadFunc: read}}},
		{"no ReadFunc", []platform.OverviewSection{{Key: "sales"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := newPlatform(t)
			m.AddOverview(platform.OverviewSection{Key: "taken", ReadFunc: read})
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("AddOverview(%+v) did not panic", tt.sections)
					}
				}()
				m.AddOverview(tt.sections...)
			}()
			// Nothing of a refused call was added.
			m.AddOverview(platform.OverviewSection{Key: "sales", ReadFunc: read})
		})
	}
}

// newPlatform returns a platform module over a database it never touches.
func newPlatform(t *testing.T) *platform.Module {
	t.Helper()
	d, err := db.New(testdb.Options(t, db.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	m, err := platform.New(platform.Deps{Services: module.Services{DB: d}, Admins: noAdmins{}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type noAdmins struct{}

func (noAdmins) CountPlatformAdmins(context.Context) (int, error)           { return 0, nil }
func (noAdmins) EmailVerified(context.Context, kernel.UserID) (bool, error) { return false, nil }
func (noAdmins) PromoteFirst(context.Context, kernel.UserID) error          { return nil }

func TestDaySeries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		now        time.Time
		first      string
		last       string
		from, to   time.Time
		counts     []platform.DayCount
		wantCounts map[string]int64
	}{
		{
			name: "midnight is the new date's", now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			first: "2026-01-31", last: "2026-03-01",
			from: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
			counts:     []platform.DayCount{{Date: "2026-03-01", Count: 4}, {Date: "2026-01-30", Count: 9}, {Date: "2026-01-31", Count: 1}},
			wantCounts: map[string]int64{"2026-03-01": 4, "2026-01-31": 1},
		},
		{
			// 22:00 in New York is 03:00 the next day in UTC.
			name: "dates are UTC's", now: time.Date(2025, 12, 31, 22, 0, 0, 0, time.FixedZone("EST", -5*3600)),
			first: "2025-12-03", last: "2026-01-01",
			from: time.Date(2025, 12, 3, 0, 0, 0, 0, time.UTC), to: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from, to := platform.DayWindow(tt.now)
			if !from.Equal(tt.from) || !to.Equal(tt.to) {
				t.Errorf("DayWindow = %s, %s; want %s, %s", from, to, tt.from, tt.to)
			}
			got := platform.DaySeries(tt.now, tt.counts)
			if len(got) != platform.OverviewDays || got[0].Date != tt.first || got[len(got)-1].Date != tt.last {
				t.Fatalf("DaySeries spans %d dates, %s to %s; want %d, %s to %s",
					len(got), got[0].Date, got[len(got)-1].Date, platform.OverviewDays, tt.first, tt.last)
			}
			for i, d := range got {
				if i > 0 && d.Date <= got[i-1].Date {
					t.Errorf("%s follows %s", d.Date, got[i-1].Date)
				}
				if d.Count != tt.wantCounts[d.Date] {
					t.Errorf("%s: count %d, want %d", d.Date, d.Count, tt.wantCounts[d.Date])
				}
			}
		})
	}
}

// createOrg creates an organization as c.
func createOrg(t *testing.T, c *testkit.Client, name string) {
	t.Helper()
	c.Post("/api/organizations", map[string]any{"name": name, "slug": fmt.Sprintf("org-%d", orgSeq.Add(1))}).
		RequireStatus(t, http.StatusCreated)
}

var orgSeq atomic.Int64

// riverStates returns River's job states, sorted.
func riverStates() []string {
	var out []string
	for _, s := range rivertype.JobStates() {
		out = append(out, string(s))
	}
	slices.Sort(out)
	return out
}

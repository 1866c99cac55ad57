package usage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// freePlan is a Subscriptions port that puts every organization on a free
// plan with no caps.
type freePlan struct{}

func (freePlan) ActiveSubscription(context.Context, kernel.OrganizationID) (usage.Subscription, error) {
	return usage.Subscription{Plan: "free"}, nil
}

// noOrganizations is an Organizations port that knows no organization.
type noOrganizations struct{}

func (noOrganizations) OrganizationName(context.Context, kernel.OrganizationID) (string, bool, error) {
	return "", false, nil
}

func TestNew(t *testing.T) {
	t.Parallel()
	d, err := db.New(db.Options{SQLitePath: t.TempDir() + "/x.db"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	for _, tt := range []struct {
		name string
		deps usage.Deps
		want string
	}{
		{"no database", usage.Deps{Subscriptions: freePlan{}}, "usage: no database"},
		{"no bus", usage.Deps{Services: module.Services{DB: d}, Subscriptions: freePlan{}}, "usage: no event bus"},
		{"no port", usage.Deps{Services: module.Services{DB: d, Bus: eventbus.New(d)}}, "usage: no Subscriptions port"},
		{"no organizations", usage.Deps{Services: module.Services{DB: d, Bus: eventbus.New(d)}, Subscriptions: freePlan{}},
			"usage: no Organizations port"},
	} {
		if _, err := usage.New(tt.deps); err == nil || err.Error() != tt.want {
			t.Errorf("%s: New = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// With enforcement on and the catalog's caps given, Start refuses a cap on
// a meter no one registered, naming it; off, or without the caps, it
// checks nothing.
func TestStart_planCaps(t *testing.T) {
	t.Parallel()
	caps := map[string]map[string]int64{
		"free": {"tickets_created": 5, "members": 3},
		"pro":  {"tickets_created": 50, "api_calls": -1},
	}
	build := func(enabled bool, planCaps func() map[string]map[string]int64) *usage.Module {
		d := testdb.Open(t, db.SQLite)
		m, err := usage.New(usage.Deps{Services: module.Services{DB: d, Bus: eventbus.New(d)}, Enabled: enabled,
			Subscriptions: freePlan{}, Organizations: noOrganizations{}, PlanCapsFunc: planCaps})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Register(ticketsCreated); err != nil {
			t.Fatal(err)
		}
		return m
	}
	err := build(true, func() map[string]map[string]int64 { return caps }).Start(t.Context())
	if err == nil || !strings.Contains(err.Error(), `plan "free" caps "members", plan "pro" caps "api_calls"`) {
		t.Fatalf("Start = %v", err)
	}
	if err := build(false, func() map[string]map[string]int64 { return caps }).Start(t.Context()); err != nil {
		t.Errorf("Start, enforcement off = %v", err)
	}
	if err := build(true, nil).Start(t.Context()); err != nil {
		t.Errorf("Start without the caps = %v", err)
	}
	m := build(true, func() map[string]map[string]int64 { return map[string]map[string]int64{"free": {"tickets_created": 5}} })
	if err := m.Start(t.Context()); err != nil {
		t.Errorf("Start, every cap registered = %v", err)
	}
}

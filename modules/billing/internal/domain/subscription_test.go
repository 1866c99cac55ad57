package domain_test

import (
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func snap(status domain.Status, at time.Time) domain.ProviderSubscription {
	return domain.ProviderSubscription{Ref: "s1", Status: status, CurrentPeriodStart: t0, CurrentPeriodEnd: t0.AddDate(0, 1, 0), ChangedAt: at, Seats: 1}
}

// TestApplyTellsWhatChanged: each transition names its event once.
func TestApplyTellsWhatChanged(t *testing.T) {
	t.Parallel()
	var s domain.Subscription
	if c := s.Apply(snap(domain.StatusActive, t0), "pro", domain.Month, t0); !c.Activated || c.PlanChanged {
		t.Errorf("first apply = %+v", c)
	}
	if c := s.Apply(snap(domain.StatusActive, t0), "pro", domain.Month, t0); c.Any() {
		t.Errorf("the same snapshot again = %+v", c)
	}
	if c := s.Apply(snap(domain.StatusActive, t0.Add(time.Minute)), "business", domain.Year, t0); !c.PlanChanged || c.From != "pro" {
		t.Errorf("plan change = %+v", c)
	}
	c := s.Apply(snap(domain.StatusPastDue, t0.Add(2*time.Minute)), "business", domain.Year, t0.Add(time.Hour))
	if !c.PastDue || s.PastDueSince == nil || !s.PastDueSince.Equal(t0.Add(time.Hour)) {
		t.Errorf("past due = %+v, since %v", c, s.PastDueSince)
	}
	if c := s.Apply(snap(domain.StatusPastDue, t0.Add(3*time.Minute)), "business", domain.Year, t0.Add(2*time.Hour)); c.PastDue || !s.PastDueSince.Equal(t0.Add(time.Hour)) {
		t.Errorf("still past due = %+v, since %v", c, s.PastDueSince)
	}
	if c := s.Apply(snap(domain.StatusCanceled, t0.Add(4*time.Minute)), "business", domain.Year, t0); !c.Canceled || s.PastDueSince != nil {
		t.Errorf("canceled = %+v", c)
	}
	p := snap(domain.StatusActive, t0.Add(5*time.Minute))
	p.Seats = 4
	if c := s.Apply(p, "business", domain.Year, t0); !c.Activated {
		t.Errorf("reactivated = %+v", c)
	}
	p.Seats, p.ChangedAt = 5, t0.Add(6*time.Minute)
	if c := s.Apply(p, "business", domain.Year, t0); !c.Updated || c.Activated {
		t.Errorf("seats = %+v", c)
	}
}

// TestTrialWillEndOnce: announced when the end comes within three days,
// once per trial end.
func TestTrialWillEndOnce(t *testing.T) {
	t.Parallel()
	var s domain.Subscription
	end := t0.Add(10 * 24 * time.Hour)
	p := snap(domain.StatusTrialing, t0)
	p.TrialEnd = &end
	if c := s.Apply(p, "pro", domain.Month, t0); c.TrialWillEnd {
		t.Error("announced ten days before")
	}
	near := end.Add(-2 * 24 * time.Hour)
	if c := s.Apply(p, "pro", domain.Month, near); !c.TrialWillEnd {
		t.Error("not announced two days before")
	}
	if c := s.Apply(p, "pro", domain.Month, near.Add(time.Hour)); c.TrialWillEnd {
		t.Error("announced twice")
	}
	later := end.Add(7 * 24 * time.Hour)
	p.TrialEnd = &later
	if c := s.Apply(p, "pro", domain.Month, later.Add(-24*time.Hour)); !c.TrialWillEnd {
		t.Error("a new trial end is not announced")
	}
}

// TestEntitled: trialing and active grant the plan; past_due for the
// grace period; a comp until its end; the rest never.
func TestEntitled(t *testing.T) {
	t.Parallel()
	grace := 7 * 24 * time.Hour
	since := t0
	for _, tt := range []struct {
		s    domain.Subscription
		at   time.Time
		want bool
	}{
		{domain.Subscription{Status: domain.StatusActive, Provider: "stripe"}, t0, true},
		{domain.Subscription{Status: domain.StatusTrialing, Provider: "stripe"}, t0, true},
		{domain.Subscription{Status: domain.StatusPastDue, PastDueSince: &since}, t0.Add(grace - time.Second), true},
		{domain.Subscription{Status: domain.StatusPastDue, PastDueSince: &since}, t0.Add(grace), false},
		{domain.Subscription{Status: domain.StatusActive, Provider: domain.ProviderComp, CurrentPeriodEnd: t0.Add(time.Hour)}, t0, true},
		{domain.Subscription{Status: domain.StatusActive, Provider: domain.ProviderComp, CurrentPeriodEnd: t0}, t0, false},
		{domain.Subscription{Status: domain.StatusUnpaid}, t0, false},
		{domain.Subscription{Status: domain.StatusIncomplete}, t0, false},
		{domain.Subscription{Status: domain.StatusPaused}, t0, false},
		{domain.Subscription{Status: domain.StatusCanceled}, t0, false},
	} {
		if got := tt.s.Entitled(tt.at, grace); got != tt.want {
			t.Errorf("%s (%s) at %v: %v, want %v", tt.s.Status, tt.s.Provider, tt.at, got, tt.want)
		}
	}
}

package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

func TestThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		used, cap int64
		want      int
	}{
		{39, 50, 0}, {40, 50, 80}, {49, 50, 80}, {50, 50, 100}, {60, 50, 100},
		{2, 3, 0}, {3, 3, 100}, {3, 4, 0}, {4, 4, 100}, {8, 10, 80}, {8, 11, 0}, {9, 11, 80},
		{0, 0, 0}, {5, 0, 0}, {1 << 40, -1, 0},
		{1<<62 - 1<<60, 1 << 62, 0}, {1<<62 - 1<<59, 1 << 62, 80}, // no overflow near the top
	}
	for _, tt := range tests {
		if got := domain.Threshold(tt.used, tt.cap); got != tt.want {
			t.Errorf("Threshold(%d, %d) = %d, want %d", tt.used, tt.cap, got, tt.want)
		}
	}
}

func TestRemaining(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ used, cap, want int64 }{{3, 10, 7}, {10, 10, 0}, {12, 10, 0}, {5, -1, -1}, {0, 0, 0}} {
		if got := domain.Remaining(tt.used, tt.cap); got != tt.want {
			t.Errorf("Remaining(%d, %d) = %d, want %d", tt.used, tt.cap, got, tt.want)
		}
	}
}

func TestCounterCloseAndNext(t *testing.T) {
	t.Parallel()
	jan, feb, mar := at("2026-01-01T00:00:00Z"), at("2026-02-01T00:00:00Z"), at("2026-03-01T00:00:00Z")
	c := domain.Counter{Meter: "m", Used: 7, Cap: 10, WindowStart: feb, WindowEnd: mar, Notified: 80,
		Previous: &domain.Closed{WindowStart: jan, WindowEnd: feb, Used: 9, Cap: 10}}

	// Mid-window: only the window an increment rolled past is recorded.
	now := at("2026-02-15T00:00:00Z")
	if got := c.Closed(now); len(got) != 1 || got[0] != *c.Previous {
		t.Fatalf("Closed mid-window = %+v", got)
	}
	if n := c.Next(now, feb, mar); n.Previous != nil || n.Used != 7 || n.Notified != 80 || !n.WindowEnd.Equal(mar) {
		t.Fatalf("Next mid-window = %+v", n)
	}

	// At the end: both, then zero in the next window, which starts no
	// earlier than the ended one's end.
	now = mar
	got := c.Closed(now)
	if len(got) != 2 || got[1] != (domain.Closed{WindowStart: feb, WindowEnd: mar, Used: 7, Cap: 10}) {
		t.Fatalf("Closed at the end = %+v", got)
	}
	if c.UsedAt(now) != 0 || c.UsedAt(now.Add(-time.Microsecond)) != 7 {
		t.Errorf("UsedAt around the end = %d, %d", c.UsedAt(now), c.UsedAt(now.Add(-time.Microsecond)))
	}
	n := c.Next(now, at("2026-02-20T00:00:00Z"), at("2026-03-20T00:00:00Z"))
	if n.Used != 0 || n.Notified != 0 || n.Previous != nil || !n.WindowStart.Equal(mar) || !n.WindowEnd.Equal(at("2026-03-20T00:00:00Z")) {
		t.Fatalf("Next at the end = %+v", n)
	}
}

func TestQuotaExceeded(t *testing.T) {
	t.Parallel()
	resets := at("2026-02-01T00:00:00Z")
	var err error = &domain.QuotaExceeded{Meter: "tickets_created", Limit: 50, Used: 50, ResetsAt: resets}
	err = errors.Join(errors.New("context"), err) // however the caller wraps it

	var qe *domain.QuotaExceeded
	if !errors.As(err, &qe) || qe.Limit != 50 {
		t.Fatalf("errors.As QuotaExceeded = %v", err)
	}
	if !errors.Is(err, domain.ErrQuotaExceeded) {
		t.Error("errors.Is ErrQuotaExceeded is false")
	}
	ke := kernel.AsError(err)
	if ke == nil || ke.Kind != kernel.KindPaymentRequired || ke.Code != "usage.quota_exceeded" {
		t.Fatalf("kernel error = %+v", ke)
	}
	if ke.Extra["meter"] != "tickets_created" || ke.Extra["limit"] != int64(50) || ke.Extra["used"] != int64(50) {
		t.Errorf("extra = %+v", ke.Extra)
	}
	if r, ok := ke.Extra["resetsAt"].(*time.Time); !ok || !r.Equal(resets) {
		t.Errorf("resetsAt = %#v", ke.Extra["resetsAt"])
	}

	// A lifetime meter never resets: resetsAt is null.
	life := (&domain.QuotaExceeded{Meter: "projects", Limit: 0}).Problem()
	if r, ok := life.Extra["resetsAt"].(*time.Time); !ok || r != nil {
		t.Errorf("lifetime resetsAt = %#v", life.Extra["resetsAt"])
	}
}

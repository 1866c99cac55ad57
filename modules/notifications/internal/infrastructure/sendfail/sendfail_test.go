package sendfail_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sendfail"
)

func TestRetryableStatus(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{
		0: false, 200: false, 400: false, 401: false, 404: false, 409: false, 422: false,
		408: true, 429: true, 500: true, 502: true, 503: true,
	} {
		if got := sendfail.RetryableStatus(status); got != want {
			t.Errorf("RetryableStatus(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestUnanswered(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection refused")

	err := sendfail.Unanswered(context.Background(), "test", "connect", 503, 7*time.Second, cause)
	var se *application.SendError
	if !errors.As(err, &se) {
		t.Fatalf("Unanswered = %v, want a SendError", err)
	}
	if se.Permanent || se.Provider != "test" || se.Status != 503 || se.RetryAfter != 7*time.Second {
		t.Errorf("SendError = %+v, want transient, provider test, status 503, retry after 7s", se)
	}
	if !errors.Is(err, cause) || se.Err.Error() != "connect: connection refused" {
		t.Errorf("Err = %v, want cause wrapped under the step", se.Err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = sendfail.Unanswered(ctx, "test", "send email", 0, 7*time.Second, cause)
	if !errors.As(err, &se) {
		t.Fatalf("Unanswered = %v, want a SendError", err)
	}
	if se.Permanent || se.RetryAfter != 0 {
		t.Errorf("SendError = %+v, want transient without retry after", se)
	}
	if !errors.Is(err, context.Canceled) || errors.Is(err, cause) {
		t.Errorf("Err = %v, want the context's error in place of the cause", se.Err)
	}
}

func TestScrub(t *testing.T) {
	t.Parallel()
	got := sendfail.Scrub("550 <bob@example.com>: no such user; ann@example.com ok", []string{"bob@example.com", "", "ann@example.com"})
	if want := "550 <[recipient]>: no such user; [recipient] ok"; got != want {
		t.Errorf("Scrub = %q, want %q", got, want)
	}
}
